namespace Contacts.Data.Dialects;

/// <summary>
/// The pieces of a contacts search for <see cref="SqlDialect.IndexedSearch"/>: the folded pattern's SQL, the statement that
/// finds contacts by a tag name, whether the term looks like a phone number (then @digits is bound too).
/// </summary>
public sealed record SearchSql(string Pattern, string ByTag, bool PhoneLike, string FoldedTerm);
