using Contacts.Api.Binding;

namespace Contacts.Api;

/// <summary>The {id} of /api/v1/contacts/{id}: an id as the API writes it, or a 400 before any lookup.</summary>
public sealed record ContactRoute(
    [RouteId("id", "The contact's `id`, a string holding a positive int64 exactly as the API returns it.", Of = "contact", Example = "1234567890")]
    long Id)
    : BoundParameters<ContactRoute>
{
    public const string Template = "/{id}";

    /// <summary>The id as read: what an ETag depends on.</summary>
    public string Canonical => FormattableString.Invariant($"id={Id}");
}
