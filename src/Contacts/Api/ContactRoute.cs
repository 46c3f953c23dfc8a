using System.Globalization;
using System.Reflection;
using Contacts.Api.Binding;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.OpenApi;

namespace Contacts.Api;

/// <summary>
/// The {id} of /api/v1/contacts/{id}, accepted only as the API writes ids (<see cref="IdsParameter.IdPattern"/>): digits,
/// no sign, spaces, leading zeros or other scripts' digits, at most int64's maximum. Binds itself from the route; an
/// endpoint filter answers 400 for anything else before the handler runs, and the same rule describes the parameter
/// in the OpenAPI document.
/// </summary>
public sealed record ContactRoute(long Id) : IEndpointParameterMetadataProvider
{
    public const string Name = "id";
    public const string Template = "/{" + Name + "}";
    public const string Rule = "id must be a contact id as the API returns it: a positive integer of at most 19 digits, " +
                               "without sign, spaces or leading zeros.";

    public bool IsValid => Id > 0;

    /// <summary>The id as read: what an ETag depends on.</summary>
    public string Canonical => FormattableString.Invariant($"id={Id}");

    public static ValueTask<ContactRoute?> BindAsync(HttpContext http, ParameterInfo parameter) =>
        ValueTask.FromResult<ContactRoute?>(new ContactRoute(TryParse(http.GetRouteValue(Name) as string, out var id) ? id : 0));

    public static void PopulateMetadata(ParameterInfo parameter, EndpointBuilder builder) =>
        builder.FilterFactories.Add((_, next) => invocation =>
            invocation.Arguments.OfType<ContactRoute>().Any(route => !route.IsValid)
                ? ValueTask.FromResult<object?>(Problems.InvalidContactId())
                : next(invocation));

    internal static bool TryParse(string? text, out long id)
    {
        id = 0;
        // NumberStyles.None still takes leading zeros, which would make 007 another name of 7.
        return text is { Length: > 0 } && text[0] != '0'
               && long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out id);
    }

    public static OpenApiParameter Describe() => new()
    {
        Name = Name,
        In = ParameterLocation.Path,
        Required = true,
        Description = "The contact's `id`, a string holding a positive int64 exactly as the API returns it. Example: `1234567890`.",
        Schema = new OpenApiSchema { Type = JsonSchemaType.String, Pattern = IdsParameter.IdPattern },
    };
}
