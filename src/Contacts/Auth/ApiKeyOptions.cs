using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Authentication;

namespace Contacts.Auth;

/// <summary>Bound from the "Auth" section, validated at start.</summary>
public sealed class ApiKeyOptions : AuthenticationSchemeOptions
{
    /// <summary>How long a verified key is trusted without asking the database; bounds how late a revocation bites.</summary>
    [Range(0, 10, ErrorMessage = "Auth:CacheSeconds must be between {1} and {2} (it bounds how late a revocation bites).")]
    public int CacheSeconds { get; set; } = 10;

    /// <summary>How often last_used_at is written (batched for all keys used since).</summary>
    [Range(1, 86_400, ErrorMessage = "Auth:LastUsedFlushSeconds must be between {1} and {2}.")]
    public int LastUsedFlushSeconds { get; set; } = 60;
}
