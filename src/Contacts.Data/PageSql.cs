namespace Contacts.Data;

/// <summary>
/// The statements of one page. Count: the exact total, when it is known without counting the rows (the counters);
/// null when Page carries it instead, in every row (count(*) OVER ()), so that a search runs once for both. Page: the
/// page's rows (binds @limit and @offset), walking the offset over ids alone (an index-only scan of (company_id, id)
/// when unfiltered) and reading only the page's own rows in full, so a deep page costs index entries, not heap rows.
/// CountAll: count(*) of the filter, for the one case Page cannot tell: a filtered page past the end.
/// </summary>
internal sealed record PageSql(string? Count, string Page, string CountAll);
