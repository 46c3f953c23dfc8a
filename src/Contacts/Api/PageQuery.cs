using System.Collections.Concurrent;
using System.Reflection;
using Contacts.Api.Binding;
using Microsoft.AspNetCore.Http.Metadata;
using Contacts.Data;

namespace Contacts.Api;

/// <summary>
/// page, limit and search, validated by the rules of the contract; unknown parameters are ignored. Binds itself from
/// the query string and declares the same parameters to the OpenAPI document.
/// </summary>
public sealed record PageQuery(int Page, int Limit, string? Search) : IEndpointParameterMetadataProvider
{
    public const int MaxSearchLength = 200;
    public const int DefaultLimit = 10;

    public long Offset => (long)(Page - 1) * Limit;

    public PageWindow Window => new(Limit, Offset);

    /// <summary>The parameters as read (defaults applied, search trimmed): what an ETag depends on.</summary>
    public string Canonical => FormattableString.Invariant($"page={Page}&limit={Limit}&search={Uri.EscapeDataString(Search ?? "")}");

    public long TotalPages(long totalRecords) => (totalRecords + Limit - 1) / Limit;

    public static ValueTask<PageQuery?> BindAsync(HttpContext http, ParameterInfo parameter) =>
        ValueTask.FromResult<PageQuery?>(Parse(http.Request.Query, QueryBinding.Options(http).MaxLimit, QueryErrors.Of(http)));

    public static void PopulateMetadata(ParameterInfo parameter, EndpointBuilder builder) =>
        QueryBinding.Declare(builder, options => Parameters.For(options.MaxLimit).All);

    internal static PageQuery Parse(IQueryCollection query, int maxLimit, QueryErrors errors)
    {
        var parameters = Parameters.For(maxLimit);
        return new PageQuery(parameters.Page.Read(query, errors), parameters.Limit.Read(query, errors), parameters.Search.Read(query, errors));
    }

    /// <summary>The three parameters; limit's bound and default follow Api:MaxLimit.</summary>
    private sealed record Parameters(IntegerParameter Page, IntegerParameter Limit, TextParameter Search)
    {
        private static readonly ConcurrentDictionary<int, Parameters> ByMaxLimit = new();

        public QueryParameter[] All => [Page, Limit, Search];

        public static Parameters For(int maxLimit) => ByMaxLimit.GetOrAdd(maxLimit, max => new Parameters(
            new IntegerParameter("page", "Page number, 1-based. A page past the end answers with an empty `data`.",
                Minimum: 1, Maximum: int.MaxValue, Default: 1, ExampleValue: 2),
            new IntegerParameter("limit", $"Results per page, at most {max} (the `Api:MaxLimit` setting).",
                Minimum: 1, Maximum: max, Default: Math.Min(DefaultLimit, max), ExampleValue: Math.Min(25, max)),
            new TextParameter("search", "Case-, accent- and width-insensitive substring search; blank means no search.",
                MaxSearchLength, ExampleValue: "jane")));
    }
}
