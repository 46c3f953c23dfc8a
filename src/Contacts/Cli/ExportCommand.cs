using System.CommandLine;
using System.Net;
using System.Text;
using System.Text.Json;
using Contacts.Client;
using Contacts.Contracts;

namespace Contacts.Cli;

/// <summary>
/// contacts export --url URL [--out FILE], the key from CONTACTS_API_KEY, --key-stdin or --key: a company's contacts
/// from any running server, through the .NET client, as JSON Lines in the shape `contacts import` reads back unchanged
/// (tags as name and colour). With --changes or --cursor CURSOR it walks the change feed instead (from the beginning, or
/// from a cursor a previous run printed): only the contacts changed since, each once in its latest state, the ids deleted
/// since, and the cursor for the next run.
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
        var output = new Option<FileInfo?>("--out") { Description = "Write to this file instead of stdout: a regular file is replaced only when the export succeeds (through a symbolic link, the file it points to); a FIFO or character device is written in place" };
        var pageSize = WholeNumberOption.Create<int>("--page-size", "Contacts per request (at most the server's Api:MaxLimit)",
            "a whole number of contacts per request", ContactsClient.MaxPageSize);
        var changes = new Option<bool>("--changes")
        {
            Description = "Export through the change feed from the beginning, and print the cursor a later --cursor export resumes from",
        };
        var cursor = new Option<string?>("--cursor")
        {
            Description = "Write only the contacts changed since this cursor (the next_cursor a previous --changes or --cursor export printed); deleted ids go to the summary",
        };
        var command = new Command("export", $"Export a company's contacts from a running server to JSON Lines that 'contacts import' reads back. The key comes from {KeyVariable}, --key-stdin or --key.")
        {
            url, key, keyStdin, allowHttp, output, pageSize, changes, cursor, io.JsonOption,
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

            var from = parse.GetValue(cursor);
            if (from is not null && string.IsNullOrWhiteSpace(from))
                throw new CliException("--cursor is empty: pass the next_cursor a previous export printed, or --changes to start from the beginning.");
            Export export = from is not null || parse.GetValue(changes)
                ? (client, writer, token) => ExportChangesAsync(client, limit, from, writer, io, token)
                : async (client, writer, token) => new ExportJson(await ExportAsync(client, limit, writer, io, token), null);

            using var client = ContactsClient.Create(baseAddress, apiKey);
            var result = (file is null
                ? await export(client, io.Out, ct)
                : await ExportToFileAsync(client, file, export, ct)) with { File = file };

            var summary = JsonSerializer.Serialize(result, CliJsonContext.Default.ExportJson);
            var text = $"Exported {result.Exported} contact(s) from {baseAddress}" + (file is null ? "." : $" to {file}.") +
                       (result.NextCursor is null ? "" : $" Deleted since the cursor: {result.Deleted!.Count}. Next cursor: {result.NextCursor}");
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

    private delegate Task<ExportJson> Export(ContactsClient client, TextWriter writer, CancellationToken ct);

    private static async Task<ExportJson> ExportToFileAsync(ContactsClient client, string file, Export export, CancellationToken ct)
    {
        await using var output = OutputFile.Open(file);
        ExportJson exported;
        await using (var writer = new StreamWriter(output.Stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), leaveOpen: true))
        {
            exported = await export(client, writer, ct);
        }
        await output.CommitAsync();
        return exported;
    }

    /// <summary>
    /// The feed from the cursor until up to date. A contact may come more than once (changed again, or during the first
    /// walk), so the changes are gathered first and each contact written once, in its latest state, in id order like a
    /// full export; one deleted after its upsert is only in the deleted ids.
    /// </summary>
    private static async Task<ExportJson> ExportChangesAsync(ContactsClient client, int limit, string? cursor, TextWriter writer,
        CliContext io, CancellationToken ct)
    {
        var upserts = new Dictionary<string, Contact>(StringComparer.Ordinal);
        var deleted = new HashSet<string>(StringComparer.Ordinal);
        var walk = client.GetAllChangesAsync(cursor, limit);
        var reported = 0;
        try
        {
            await foreach (var change in walk.WithCancellation(ct))
            {
                switch (change)
                {
                    case ContactUpsert upsert:
                        upserts[upsert.Contact.Id] = upsert.Contact;
                        deleted.Remove(upsert.Contact.Id);
                        break;
                    case ContactDelete delete:
                        upserts.Remove(delete.Id);
                        deleted.Add(delete.Id);
                        break;
                }
                if (walk.Pages % 10 == 0 && walk.Pages != reported)
                {
                    reported = walk.Pages;
                    io.Error.WriteLine($"export: {walk.Pages:N0} pages of changes read");
                }
            }
        }
        catch (ContactsApiException e) when (e.StatusCode == HttpStatusCode.Gone)
        {
            throw new CliException("the cursor is older than the change history the server keeps (Sync:HistoryDays), or from before a failover or restore: export everything " +
                                   "again with --changes, and drop from the copy every contact that export does not contain.", ContactsCli.BadInput);
        }
        catch (ContactsApiException e) when (e.StatusCode == HttpStatusCode.BadRequest && e.Problem?.Errors?.ContainsKey("cursor") == true)
        {
            throw new CliException($"--cursor: {e.Message}", ContactsCli.BadInput);
        }
        catch (Exception e) when (Failure(e, upserts.Count, ct) is { } failure)
        {
            throw failure;
        }
        foreach (var contact in upserts.Values.OrderBy(c => c.Id.Length).ThenBy(c => c.Id, StringComparer.Ordinal))
            await WriteLineAsync(writer, contact, ct);
        await writer.FlushAsync(ct);
        return new ExportJson(upserts.Count, null, [.. deleted.Order(StringComparer.Ordinal)], walk.Cursor);
    }

    private static async Task WriteLineAsync(TextWriter writer, Contact contact, CancellationToken ct)
    {
        // "\n" rather than WriteLine: the file is byte-identical on every platform.
        await writer.WriteAsync(JsonSerializer.Serialize(ContactLine.From(contact), ContactsJsonContext.Wire.ContactLine).AsMemory(), ct);
        await writer.WriteAsync("\n".AsMemory(), ct);
    }

    /// <summary>What an error of the server or the network means to the user, with the exit code; null for a bug.</summary>
    private static CliException? Failure(Exception exception, long exported, CancellationToken ct) => exception switch
    {
        ContactsApiException { StatusCode: HttpStatusCode.Unauthorized } e => new CliException($"the server refused the API key: {e.Message}", ContactsCli.BadInput),
        ContactsApiException e when e.Problem?.Errors?.ContainsKey("limit") == true => new CliException($"{e.Message} Pass a smaller --page-size.", ContactsCli.BadInput),
        ContactsApiException e => new CliException($"export failed after {exported} contact(s): {e.Message}", ContactsCli.Failed),
        HttpRequestException e => new CliException($"cannot reach the server: {e.Message}", ContactsCli.Failed),
        TaskCanceledException e when !ct.IsCancellationRequested => new CliException($"the server did not answer in time: {e.Message}", ContactsCli.Failed),
        _ => null,
    };

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
                    await WriteLineAsync(writer, contact, ct);
                    exported++;
                }
                if (++pages % 10 == 0 && page.Data.Count > 0) io.Error.WriteLine($"export: {exported:N0} / {page.TotalRecords:N0} contacts");
            }
            await writer.FlushAsync(ct);
            return exported;
        }
        catch (Exception e) when (Failure(e, exported, ct) is { } failure)
        {
            throw failure;
        }
    }
}
