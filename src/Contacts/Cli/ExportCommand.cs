using System.CommandLine;
using System.Net;
using System.Text;
using System.Text.Json;
using Contacts.Client;
using Contacts.Contracts;

namespace Contacts.Cli;

internal sealed record ExportJson(long Exported, string? File);

/// <summary>
/// contacts export --url URL [--out FILE], the key from CONTACTS_API_KEY, --key-stdin or --key: a company's contacts
/// from any running server, through the .NET client, as JSON Lines in the shape `contacts import` reads back unchanged
/// (tags as name and colour).
/// </summary>
public static class ExportCommand
{
    public const string KeyVariable = "CONTACTS_API_KEY";

    public static Command Create(CliContext io)
    {
        var url = new Option<string>("--url") { Description = "The API server's root, e.g. https://contacts.example.com", Required = true };
        var key = new Option<string?>("--key")
        {
            Description = $"The company's API key (ck_...). Visible to other users in the process list: prefer {KeyVariable} or --key-stdin",
        };
        var keyStdin = new Option<bool>("--key-stdin") { Description = "Read the API key from the first line of standard input" };
        var allowHttp = new Option<bool>("--allow-insecure-http") { Description = "Send the key over plain http to a host other than this machine" };
        var output = new Option<FileInfo?>("--out") { Description = "Write to this file (replaced only when the export succeeds) instead of stdout" };
        var pageSize = new Option<int>("--page-size")
        {
            Description = "Contacts per request (at most the server's Api:MaxLimit)",
            DefaultValueFactory = _ => ContactsClient.MaxPageSize,
        };
        var command = new Command("export", $"Export a company's contacts from a running server to JSON Lines that 'contacts import' reads back. The key comes from {KeyVariable}, --key-stdin or --key.")
        {
            url, key, keyStdin, allowHttp, output, pageSize, io.JsonOption,
        };
        command.SetAction(async (parse, ct) =>
        {
            var baseAddress = ParseUrl(parse.GetValue(url)!, parse.GetValue(allowHttp));
            var apiKey = ReadKey(io, parse.GetValue(key), parse.GetValue(keyStdin));
            var limit = parse.GetValue(pageSize);
            if (limit < 1) throw new CliException("--page-size must be at least 1.");
            var file = parse.GetValue(output)?.FullName;
            if (file is not null && !Directory.Exists(Path.GetDirectoryName(file)))
                throw new CliException($"--out: the folder of '{file}' does not exist.");

            using var client = ContactsClient.Create(baseAddress, apiKey);
            var exported = file is null
                ? await ExportAsync(client, limit, io.Out, io, ct)
                : await ExportToFileAsync(client, limit, file, io, ct);

            var summary = JsonSerializer.Serialize(new ExportJson(exported, file), CliJsonContext.Default.ExportJson);
            var text = $"Exported {exported} contact(s) from {baseAddress}" + (file is null ? "." : $" to {file}.");
            // Without --out, stdout carries the data: the summary goes beside the progress.
            var summaryWriter = file is null ? io.Error : io.Out;
            summaryWriter.WriteLine(parse.GetValue(io.JsonOption) ? summary : text);
            return ContactsCli.Ok;
        });
        return command;
    }

    private static string ReadKey(CliContext io, string? fromArguments, bool fromStdin)
    {
        if (fromArguments is not null && fromStdin) throw new CliException("pass the key with --key or with --key-stdin, not both.");
        if (fromArguments is not null)
        {
            io.Error.WriteLine($"warning: --key puts the API key on the command line, where other users of this machine can read it " +
                               $"(ps, /proc) and the shell history keeps it; prefer {KeyVariable} or --key-stdin.");
        }
        var apiKey = (fromArguments ?? (fromStdin ? io.In.ReadLine() : io.Environment(KeyVariable)))?.Trim();
        if (!string.IsNullOrEmpty(apiKey)) return apiKey;
        throw new CliException(fromStdin
            ? "--key-stdin: standard input held no key."
            : $"an API key is needed: set {KeyVariable}, or pipe it in with --key-stdin.");
    }

    private static Uri ParseUrl(string text, bool allowInsecureHttp)
    {
        if (!Uri.TryCreate(text.Trim(), UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
            || !string.IsNullOrEmpty(uri.Query))
            throw new CliException($"--url '{text}' is not an absolute http(s) URL of the server's root, such as http://localhost:5000.");
        if (uri.Scheme == Uri.UriSchemeHttp && !allowInsecureHttp && !IsLoopback(uri))
        {
            throw new CliException($"--url '{text}' is plain http to another machine: the API key and the contacts would cross the " +
                                   "network unencrypted. Use https, or pass --allow-insecure-http if the network is private.");
        }
        return uri;
    }

    /// <summary>localhost, 127.0.0.0/8 and ::1: traffic that never leaves this machine.</summary>
    private static bool IsLoopback(Uri uri) =>
        uri.HostNameType == UriHostNameType.Dns
            ? string.Equals(uri.Host, "localhost", StringComparison.OrdinalIgnoreCase)
            : IPAddress.TryParse(uri.Host.Trim('[', ']'), out var address)
              && IPAddress.IsLoopback(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address);

    private static async Task<long> ExportToFileAsync(ContactsClient client, int limit, string file, CliContext io, CancellationToken ct)
    {
        // A failed export leaves an earlier file as it was, never half of a new one.
        var partial = $"{file}.{Guid.NewGuid():N}.partial";
        try
        {
            long exported;
            await using (var writer = new StreamWriter(partial, append: false, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false)))
            {
                exported = await ExportAsync(client, limit, writer, io, ct);
            }
            File.Move(partial, file, overwrite: true);
            return exported;
        }
        finally
        {
            File.Delete(partial);
        }
    }

    private static async Task<long> ExportAsync(ContactsClient client, int limit, TextWriter writer, CliContext io, CancellationToken ct)
    {
        long exported = 0;
        var pages = 0;
        try
        {
            await foreach (var page in client.GetContactPagesAsync(new ContactsQuery { Limit = limit }, ct))
            {
                foreach (var contact in page.Data)
                {
                    // "\n" rather than WriteLine: the file is byte-identical on every platform.
                    await writer.WriteAsync(JsonSerializer.Serialize(ContactLine.From(contact), ContactsJsonContext.Wire.ContactLine).AsMemory(), ct);
                    await writer.WriteAsync("\n".AsMemory(), ct);
                    exported++;
                }
                if (++pages % 10 == 0 && page.Data.Count > 0) io.Error.WriteLine($"export: {exported:N0} / {page.TotalRecords:N0} contacts");
            }
            await writer.FlushAsync(ct);
            return exported;
        }
        catch (ContactsApiException e) when (e.StatusCode == System.Net.HttpStatusCode.Unauthorized)
        {
            throw new CliException($"the server refused the API key: {e.Message}", ContactsCli.BadInput);
        }
        catch (ContactsApiException e) when (e.Problem?.Errors?.ContainsKey("limit") == true)
        {
            throw new CliException($"{e.Message} Pass a smaller --page-size.", ContactsCli.BadInput);
        }
        catch (ContactsApiException e)
        {
            throw new CliException($"export failed after {exported} contact(s): {e.Message}", ContactsCli.Failed);
        }
        catch (HttpRequestException e)
        {
            throw new CliException($"cannot reach the server: {e.Message}", ContactsCli.Failed);
        }
        catch (TaskCanceledException e) when (!ct.IsCancellationRequested)
        {
            throw new CliException($"the server did not answer in time: {e.Message}", ContactsCli.Failed);
        }
    }
}
