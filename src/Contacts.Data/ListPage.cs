using Contacts.Data.Changes;

namespace Contacts.Data;

/// <summary>One page of a list, the exact number of rows matching across all pages, and the company's stamp read before it.</summary>
public sealed record ListPage<T>(IReadOnlyList<T> Rows, long Total, ChangeStamp Stamp);
