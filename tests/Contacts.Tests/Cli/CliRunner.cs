using System.Globalization;
using System.Text;
using System.Text.Json;
using Contacts.Cli;
using Contacts.Data;
using Contacts.Tests.Infrastructure;

namespace Contacts.Tests.Cli;

public sealed record CliResult(int ExitCode, string Stdout, string Stderr)
{
    public JsonElement Json()
    {
        Assert.True(Stdout.Length > 0, $"no output on stdout (exit {ExitCode}); stderr: {Stderr}");
        using var document = JsonDocument.Parse(Stdout);
        return document.RootElement.Clone();
    }

    public override string ToString() => $"exit {ExitCode}{Environment.NewLine}stdout: {Stdout}{Environment.NewLine}stderr: {Stderr}";
}

/// <summary>
/// Runs the real command line in-process, capturing its exit code and both streams. The command sees only the
/// environment variables a test gives it (CONTACTS_API_KEY set on the machine changes nothing) and an empty stdin
/// unless given one.
/// </summary>
public static class CliRunner
{
    public static Task<CliResult> RunAsync(params string[] args) => RunAsync(args, new Dictionary<string, string?>());

    public static async Task<CliResult> RunAsync(string[] args, IReadOnlyDictionary<string, string?> environment, string stdin = "")
    {
        using var stdout = new StringWriter(CultureInfo.InvariantCulture);
        using var stderr = new StringWriter(CultureInfo.InvariantCulture);
        using var input = new StringReader(stdin);
        var exitCode = await ContactsCli.RunAsync(args, new CliContext(stdout, stderr, input, name => environment.GetValueOrDefault(name)));
        return new CliResult(exitCode, stdout.ToString(), stderr.ToString());
    }

    public static Task<CliResult> RunAsync(TestDatabase database, params string[] args) => RunAsync([.. database.CliOptions, .. args]);

    /// <summary>Runs a command that must succeed.</summary>
    public static async Task<CliResult> OkAsync(TestDatabase database, params string[] args)
    {
        var result = await RunAsync(database, args);
        Assert.True(result.ExitCode == ContactsCli.Ok, $"contacts {string.Join(' ', args)}: {result}");
        return result;
    }

    public static string Text(this JsonElement element, string property) =>
        element.GetProperty(property).GetString() ?? throw new InvalidOperationException($"'{property}' is null");

    public static long Id(this JsonElement element, string property = "id") =>
        long.Parse(element.Text(property), CultureInfo.InvariantCulture);

    /// <summary>
    /// Every stored column of a company's contacts, tags and contact_tag rows (timestamps at full precision),
    /// to tell whether anything at all changed.
    /// </summary>
    public static Task<string> DumpCompanyAsync(this ContactsDatabase db, long companyId) => db.DumpAsync(companyId,
    [
        "SELECT * FROM contact WHERE company_id = @company ORDER BY id",
        "SELECT * FROM tag WHERE company_id = @company ORDER BY id",
        "SELECT * FROM contact_tag WHERE company_id = @company ORDER BY contact_id, tag_id",
    ]);
}

/// <summary>A temp folder for a test's input files, deleted afterwards.</summary>
public sealed class TempFolder : IDisposable
{
    public TempFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "contacts-cli-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string Write(string name, string content) => WriteBytes(name, new UTF8Encoding(false).GetBytes(content));

    public string WriteBytes(string name, byte[] content)
    {
        var file = System.IO.Path.Combine(Path, name);
        File.WriteAllBytes(file, content);
        return file;
    }

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }
}

/// <summary>The service next to the CLI's database, with no key cache so that a revocation shows at once.</summary>
public sealed class SqliteCliFixture : SqliteAppFixture
{
    protected override string[] Settings => ["--Auth:CacheSeconds=0"];
}

public sealed class PostgresCliFixture : PostgresAppFixture
{
    protected override string[] Settings => ["--Auth:CacheSeconds=0"];
}
