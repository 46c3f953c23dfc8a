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
