using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Contacts.Tests.Trust;

/// <summary>A response read off a raw socket: the status (0 if none arrived), the header block and the body length.</summary>
internal sealed record RawResponse(int Status, IReadOnlyList<KeyValuePair<string, string>> Headers, int BodyLength, string? Failure, string Body = "")
{
    public string? Header(string name) => Headers.FirstOrDefault(h => h.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Value;
}

/// <summary>
/// HTTP/1.1 by hand over TcpClient, so a test can send bytes no HTTP client library would (invalid UTF-8 in the
/// request line, control characters in headers, bodies on GET). Requests should carry Connection: close; the
/// response is read to the end of the stream or until the timeout.
/// </summary>
internal static class RawHttp
{
    public static byte[] Request(string method, byte[] target, IEnumerable<byte[]> headerLines, byte[]? body = null)
    {
        using var buffer = new MemoryStream();
        buffer.Write(Encoding.ASCII.GetBytes(method + " "));
        buffer.Write(target);
        buffer.Write(" HTTP/1.1\r\nHost: localhost\r\n"u8);
        foreach (var line in headerLines)
        {
            buffer.Write(line);
            buffer.Write("\r\n"u8);
        }
        buffer.Write("Connection: close\r\n\r\n"u8);
        if (body is not null) buffer.Write(body);
        return buffer.ToArray();
    }

    public static async Task<RawResponse> SendAsync(Uri address, byte[] request, TimeSpan timeout, IPAddress? from = null)
    {
        using var cts = new CancellationTokenSource(timeout);
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        if (from is not null) socket.Bind(new IPEndPoint(from, 0));
        var received = new MemoryStream();
        string? failure = null;
        try
        {
            await socket.ConnectAsync(IPAddress.Parse(address.Host), address.Port, cts.Token);
            try
            {
                await socket.SendAsync(request, SocketFlags.None, cts.Token);
            }
            catch (SocketException)
            {
                // The server may answer (414, 431, 400) and close before it has read everything we sent.
            }
            var chunk = new byte[64 * 1024];
            while (true)
            {
                var read = await socket.ReceiveAsync(chunk, SocketFlags.None, cts.Token);
                if (read == 0) break;
                received.Write(chunk, 0, read);
            }
        }
        catch (OperationCanceledException)
        {
            failure = $"no complete response within {timeout.TotalSeconds:0} s";
        }
        catch (SocketException e) when (received.Length > 0)
        {
            _ = e; // reset after the response arrived: the response counts
        }
        catch (SocketException e)
        {
            failure = "connection failed without a response: " + e.SocketErrorCode;
        }
        return Parse(received.ToArray(), failure);
    }

    private static RawResponse Parse(byte[] bytes, string? failure)
    {
        var text = Encoding.Latin1.GetString(bytes);
        var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        if (!text.StartsWith("HTTP/1.1 ", StringComparison.Ordinal) || end < 0 || !int.TryParse(text.AsSpan(9, 3), out var status))
            return new RawResponse(0, [], 0, failure ?? $"not an HTTP response: {text[..Math.Min(80, text.Length)]}");
        var headers = text[..end].Split("\r\n").Skip(1)
            .Select(line => line.Split(':', 2))
            .Select(parts => KeyValuePair.Create(parts[0].Trim(), parts.Length > 1 ? parts[1].Trim() : ""))
            .ToList();
        var body = bytes.AsSpan(end + 4).ToArray();
        var chunked = headers.Any(h => h.Key.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase) && h.Value.Contains("chunked", StringComparison.OrdinalIgnoreCase));
        return new RawResponse(status, headers, bytes.Length - end - 4, failure, Encoding.UTF8.GetString(chunked ? Dechunk(body) : body));
    }

    private static byte[] Dechunk(byte[] body)
    {
        var result = new MemoryStream();
        var at = 0;
        while (at < body.Length)
        {
            var lineEnd = body.AsSpan(at).IndexOf("\r\n"u8);
            if (lineEnd < 0) break;
            var sizeText = Encoding.ASCII.GetString(body, at, lineEnd).Split(';')[0].Trim();
            if (!int.TryParse(sizeText, System.Globalization.NumberStyles.HexNumber, null, out var size) || size == 0) break;
            at += lineEnd + 2;
            result.Write(body, at, Math.Min(size, body.Length - at));
            at += size + 2;
        }
        return result.ToArray();
    }
}
