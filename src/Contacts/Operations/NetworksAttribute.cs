using System.ComponentModel.DataAnnotations;
using System.Net;

namespace Contacts.Operations;

/// <summary>Each entry must be a network in CIDR notation (10.0.0.0/8, fd00::/8, or 192.0.2.7/32 for one address).</summary>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class NetworksAttribute(string setting) : ValidationAttribute
{
    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext)
    {
        var networks = value as string[] ?? [];
        var bad = Array.FindIndex(networks, text => !IPNetwork.TryParse(text.Trim(), out _));
        return bad < 0
            ? ValidationResult.Success
            : new ValidationResult($"{setting}:{bad}: '{networks[bad]}' is not a network in CIDR notation, such as 10.0.0.0/8 or 192.0.2.7/32.");
    }

    public static IReadOnlyList<IPNetwork> Parse(string[] networks) => [.. networks.Select(text => IPNetwork.Parse(text.Trim()))];
}
