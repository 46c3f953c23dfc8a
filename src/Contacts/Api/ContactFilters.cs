using System.Globalization;
using System.Reflection;
using Contacts.Api.Binding;
using Microsoft.AspNetCore.Http.Metadata;

namespace Contacts.Api;

/// <summary>
/// Filters for sync jobs on the contacts endpoint: updated_since (incremental sync) and tag_id (repeatable, any of).
/// Binds itself from the query string and declares the same parameters to the OpenAPI document.
/// </summary>
public sealed record ContactFilters(DateTime? UpdatedSince, IReadOnlyList<long> TagIds) : IEndpointParameterMetadataProvider
{
    public const int MaxTagIds = 50;

    private static readonly InstantParameter UpdatedSinceParameter = new("updated_since",
        "Only contacts updated at or after this ISO-8601 instant, for incremental sync " +
        "(a timestamp without an offset is taken as UTC).");

    private static readonly IdsParameter TagIdParameter = new("tag_id",
        $"Only contacts carrying any of these tags; repeat the parameter for several (at most {MaxTagIds}). " +
        "Tag ids are strings, as the API returns them.",
        Plural: "tags", MaxTagIds, ExampleValue: ["42", "57"]);

    /// <summary>The filters as read (an instant in UTC, the tag ids as a set): what an ETag depends on.</summary>
    public string Canonical => FormattableString.Invariant(
        $"updated_since={UpdatedSince?.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture)}&tag_id={string.Join(',', TagIds.Distinct().Order())}");

    public static ValueTask<ContactFilters?> BindAsync(HttpContext http, ParameterInfo parameter) =>
        ValueTask.FromResult<ContactFilters?>(Parse(http.Request.Query, QueryErrors.Of(http)));

    public static void PopulateMetadata(ParameterInfo parameter, EndpointBuilder builder) =>
        QueryBinding.Declare(builder, _ => [UpdatedSinceParameter, TagIdParameter]);

    internal static ContactFilters Parse(IQueryCollection query, QueryErrors errors) =>
        new(UpdatedSinceParameter.Read(query, errors), TagIdParameter.Read(query, errors));
}
