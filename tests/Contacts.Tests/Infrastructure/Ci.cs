using System.Diagnostics.CodeAnalysis;

namespace Contacts.Tests.Infrastructure;

/// <summary>
/// Under CI a test must not skip: what would skip on a developer's machine fails there instead. CI is any truthy
/// value of the CI variable (true, 1, yes, case-insensitive), as CI services set it.
/// </summary>
public static class Ci
{
    public static bool IsSet => IsTruthy(Environment.GetEnvironmentVariable("CI"));

    public static bool IsTruthy(string? value) =>
        value?.Trim().ToUpperInvariant() is "TRUE" or "1" or "YES" or "ON";

    /// <summary>Skips the test when condition holds, loudly; under CI fails it with the same reason.</summary>
    public static void SkipIf([DoesNotReturnIf(true)] bool condition, string? reason)
    {
        if (!condition) return;
        reason ??= "no reason given";
        if (IsSet) throw new InvalidOperationException($"would skip, but CI is set: {reason}");
        throw new Xunit.SkipException("SKIPPED LOUDLY: " + reason);
    }

    public static void SkipUnless([DoesNotReturnIf(false)] bool condition, string? reason) => SkipIf(!condition, reason);
}
