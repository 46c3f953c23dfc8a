using System.CommandLine;
using System.Text;
using System.Text.Json;
using Contacts.Client;
using Contacts.Contracts;

namespace Contacts.Cli;

/// <summary>
/// contacts export --url URL --key KEY [--out FILE]: a company's contacts from any running server, through the
/// .NET client, as JSON Lines in the shape `contacts import` reads back unchanged (tags as name and colour).
/// </summary>
public static class ExportCommand
{
    public const string KeyVariable = "CONTACTS_API_KEY";

    public static Command Create(CliContext io)
    {
        var url = new Option<string>("--url") { Description = "The API server's root, e.g. https://contacts.example.com", Required = true };
        var key = new Option<string?>("--key") { Description = $"The company's API key (ck_...); defaults to the {KeyVariable} environment variable" };
        var output = new Option<FileInfo?>("--out") { Description = "Write to this file (replaced only when the export succeeds) instead of stdout" };
        var pageSize = new Option<int>("--page-size")
        {
            Description = "Contacts per request (at most the server's Api:MaxLimit)",
            DefaultValueFactory = _ => ContactsClient.MaxPageSize,
        };
        var command = new Command("export", "Export a company's contacts from a running server to JSON Lines that 'contacts import' reads back.")
        {
            url, key, output, pageSize, io.JsonOption,
        };
        command.SetAction(async (parse, ct) =>
        {
            var baseAddress = ParseUrl(parse.GetValue(url)!);
            var apiKey = parse.GetValue(key) ?? Environment.GetEnvironmentVariable(KeyVariable);
            if (string.IsNullOrWhiteSpace(apiKey)) throw new CliException($"an API key is needed: pass --key or set {KeyVariable}.");
            var limit = parse.GetValue(pageSize);
            if (limit < 1) throw new CliException("--page-size must be at least 1.");
            var file = parse.GetValue(output)?.FullName;
            if (file is not null && !Directory.Exists(Path.GetDirectoryName(file)))
                throw new CliException($"--out: the folder of '{file}' does not exist.");

            using var client = ContactsClient.Create(baseAddress, apiKey);
            var exported = file is null
                ? await ExportAsync(client, limit, io.Out, io, ct)
                : await ExportToFileAsync(client, limit, file, io, ct);

            var summary = JsonSerializer.Serialize(new { exported, file }, ContactsCli.Json);
            var text = $"Exported {exported} contact(s) from {baseAddress}" + (file is null ? "." : $" to {file}.");
            // Without --out, stdout carries the data: the summary goes beside the progress.
            var summaryWriter = file is null ? io.Error : io.Out;
            summaryWriter.WriteLine(parse.GetValue(io.JsonOption) ? summary : text);
            return ContactsCli.Ok;
        });
        return command;
    }

    private static Uri ParseUrl(string text)
    {
        if (Uri.TryCreate(text.Trim(), UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            && string.IsNullOrEmpty(uri.Query))
            return uri;
        throw new CliException($"--url '{text}' is not an absolute http(s) URL of the server's root, such as http://localhost:5000.");
    }

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
