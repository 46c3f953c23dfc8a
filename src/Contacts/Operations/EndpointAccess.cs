using System.ComponentModel.DataAnnotations;
using System.Net;

namespace Contacts.Operations;

/// <summary>
/// Who may reach an operational endpoint, decided on the connection (never on the Host header, which the client
/// chooses): with a dedicated local port, whoever reaches that port; otherwise loopback clients, clients in the allowed
/// networks, or anyone when remote access is allowed. Others get the 404 of a path that does not exist.
/// </summary>
internal sealed class EndpointAccessPolicy(bool allowRemote, IReadOnlyList<IPNetwork> networks, int? port = null)
{
    public static EndpointAccessPolicy For(DocsOptions options) => new(options.AllowRemote, NetworksAttribute.Parse(options.AllowedNetworks));

    public static EndpointAccessPolicy For(MetricsOptions options) =>
        new(options.AllowRemote, NetworksAttribute.Parse(options.AllowedNetworks), options.Port);

    public bool Allows(ConnectionInfo connection)
    {
        if (port is { } only) return connection.LocalPort == only;
        if (allowRemote) return true;
        // No address: not a TCP connection (a Unix socket, an in-process test server), so local by construction.
        if (connection.RemoteIpAddress is not { } remote) return true;
        if (remote.IsIPv4MappedToIPv6) remote = remote.MapToIPv4();
        return IPAddress.IsLoopback(remote) || networks.Any(network => network.Contains(remote));
    }
}

public static class EndpointAccess
{
    /// <summary>Before authentication: a refused client costs nothing more than a 404.</summary>
    public static IApplicationBuilder UseEndpointAccess(this IApplicationBuilder app) => app.Use((http, next) =>
    {
        if (http.GetEndpoint()?.Metadata.GetMetadata<EndpointAccessPolicy>() is not { } policy || policy.Allows(http.Connection)) return next(http);
        http.Response.StatusCode = StatusCodes.Status404NotFound;
        return Task.CompletedTask;
    });
}

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
