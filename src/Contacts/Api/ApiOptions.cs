using System.ComponentModel.DataAnnotations;

namespace Contacts.Api;

/// <summary>Bound from the "Api" section.</summary>
public sealed class ApiOptions
{
    [Range(1, 10_000, ErrorMessage = "Api:MaxLimit must be between {1} and {2}.")]
    public int MaxLimit { get; set; } = 100;
}
