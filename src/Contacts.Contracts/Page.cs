using System.Text.Json.Serialization;

namespace Contacts.Contracts;

/// <summary>One page of results in the API's envelope.</summary>
/// <typeparam name="T">A <see cref="Contact"/> or a <see cref="Tag"/>.</typeparam>
/// <param name="Data">The records of this page, in id order; empty past the last page.</param>
/// <param name="CurrentPage">The page returned (1-based).</param>
/// <param name="TotalPages">How many pages there are for this query and limit; 0 when nothing matches.</param>
/// <param name="TotalRecords">How many records match the query across all pages.</param>
public sealed record Page<T>(
    [property: JsonPropertyName("data")] IReadOnlyList<T> Data,
    [property: JsonPropertyName("currentPage")] int CurrentPage,
    [property: JsonPropertyName("totalPages")] long TotalPages,
    [property: JsonPropertyName("totalRecords")] long TotalRecords);
