namespace Contacts.Data.Dialects;

/// <summary>
/// The pieces of a contacts search for <see cref="SqlDialect.IndexedSearch"/>: the folded pattern's SQL, the statement that
/// finds contacts by a tag name, whether the term looks like a phone number (then @digits is bound too), and for a page
/// whose total is already known, how many of the first matching ids (in id order) it needs (<see cref="FirstMatches"/>).
/// </summary>
/// <param name="FirstMatches">
/// SQL of the number of matches, the first in id order, that the page needs (its offset plus its limit), or null for
/// every match (a count, or a page that counts its matches too). The ids are then cut before the contacts are read: the
/// rows fetched are the page's, not every match's (PostgreSQL's generic plan read all 152 matches of `lewandowska` by
/// (company, id) and sorted them for a page of 10).
/// </param>
public sealed record SearchSql(string Pattern, string ByTag, bool PhoneLike, string FoldedTerm, string? FirstMatches = null)
{
    /// <summary>The ids of a search's matches as one subquery, cut to the page's first matches when it says so.</summary>
    public string Ids(string matches) => FirstMatches is { } first ? $"SELECT m.id FROM ({matches}) m ORDER BY m.id LIMIT {first}" : matches;
}
