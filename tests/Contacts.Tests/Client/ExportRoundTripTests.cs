using System.Globalization;
using System.Text;
using System.Text.Json;
using Contacts.Api;
using Contacts.Cli;
using Contacts.Data;
using Contacts.Tests.Api;
using Contacts.Tests.Cli;
using Contacts.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Contacts.Tests.Client;

/// <summary>
/// `contacts export` against the running service: import a varied file into company A, export it, import the export
/// into company B of a fresh database (same ids), export B; the exports are byte-identical and the rows equal.
/// </summary>
public abstract class ExportRoundTripTests(AppFixture fixture)
{
    private TestDatabase Database => fixture.Database;

    protected abstract Task<TestDatabase> FreshDatabaseAsync();

    /// <summary>A fresh database of the other provider, or null (and the test skipped) when it is unavailable.</summary>
    protected abstract Task<TestDatabase?> OtherProviderDatabaseAsync();

    // Not in id order: Zeta is created first here, but after VIP when B imports the export in id order, so the tag ids
    // (and the API's tag order, by id) differ between A and B.
    private static readonly string[] Lines =
    [
        """{"id":"910009","first_name":"Late","last_name":"Tagger","email":"late@example.com","phone_number":null,"phone_number_lid":null,"profile_picture":null,"created_at":"2025-03-01T12:00:00Z","updated_at":"2025-03-02T12:00:00.250Z","tags":[{"name":"Zeta","color":"#00AA00"}]}""",
        """{"id":"910001","first_name":"José","last_name":"Álvarez","email":"jose@example.com","phone_number":"+34 600 123 456","phone_number_lid":null,"profile_picture":"https://cdn.example.com/a/jos%C3%A9.jpg","created_at":"2024-01-02T03:04:05.678Z","updated_at":"2025-09-15T08:30:00.000Z","tags":[{"name":"VIP","color":"#1156D6"},{"name":"Lead","color":"#e63946"}]}""",
        """{"id":"910002","first_name":"Иван","last_name":"Петров","email":null,"phone_number":"79001234567","phone_number_lid":"1234567890123@lid","profile_picture":null,"created_at":"2025-02-03T00:00:00+03:00","updated_at":"2025-02-03T10:00:00.1234567Z","tags":["vip","Клиент",{"name":"zeta"}]}""",
        """{"id":"910003","first_name":"李","last_name":"小龙","email":"li@example.cn"}""",
        """{"id":"910004","first_name":"Zoë","last_name":"O\"Brien \\ Ñandú","email":"zoe@example.com","tags":[{"name":"Ελληνικά","color":null}],"created_at":"2020-02-29","updated_at":"2020-02-29T00:00:00Z"}""",
        """{"first_name":"😀 Emoji","last_name":null,"email":"emoji@example.com","tags":[]}""",
        """{"id":"910006","first_name":null,"last_name":null,"email":null,"phone_number":"+1 (234) 567-8900","tags":[{"name":"Lead","color":null}],"created_at":"2023-12-31T23:59:59.999Z","updated_at":"2023-12-31T23:59:59.999Z"}""",
        """{"id":"910007","first_name":"محمد","last_name":"علي","email":"m@example.ae","phone_number":"971500000000","profile_picture":"http://example.ae/p.png","tags":[{"name":"عميل","color":"#abcdef"}]}""",
    ];

    [SkippableFact]
    public async Task ExportImportedIntoAFreshDatabaseExportsByteForByteTheSameAndStoresTheSameRows()
    {
        var database = Database;
        using var folder = new TempFolder();
        var a = await fixture.Data.CompanyAsync("A");
        var source = folder.Write("a.jsonl", string.Join("\n", Lines) + "\n");
        await CliRunner.OkAsync(database, "import", "--company", Id(a.Id), source);

        // A small page size makes the export walk several pages.
        var exportA = Path.Combine(folder.Path, "export-a.jsonl");
        var summary = (await CliRunner.OkAsync(database, "export", "--url", fixture.App.Address.ToString(), "--key", a.Key, "--out", exportA, "--page-size", "3", "--json")).Json();
        Assert.Equal(Lines.Length, summary.GetProperty("exported").GetInt64());
        Assert.Equal(exportA, summary.Text("file"));

        await using var fresh = await FreshDatabaseAsync();
        var b = await CompanyQueries.CreateAsync(fresh.Db, "B");
        var bKey = await KeyQueries.CreateAsync(fresh.Db, b.Id, "export");
        var imported = (await CliRunner.OkAsync(fresh, "import", "--company", Id(b.Id), exportA, "--json")).Json();
        Assert.Equal(Lines.Length, imported.GetProperty("inserted").GetInt32());

        await using var appB = await TestApp.StartAsync(fresh);
        var exportB = Path.Combine(folder.Path, "export-b.jsonl");
        await CliRunner.OkAsync(fresh, "export", "--url", appB.Address.ToString(), "--key", bKey.Key, "--out", exportB);

        Assert.Equal(await File.ReadAllTextAsync(exportA), await File.ReadAllTextAsync(exportB));
        Assert.Equal(await File.ReadAllBytesAsync(exportA), await File.ReadAllBytesAsync(exportB));
        Assert.Equal(await RowsAsync(database.Db, a.Id), await RowsAsync(fresh.Db, b.Id));
    }

    [SkippableFact]
    public async Task AnExportImportedIntoTheOtherProviderExportsTheSameBytes()
    {
        var database = Database;
        using var folder = new TempFolder();
        var a = await fixture.Data.CompanyAsync("A");
        var source = folder.Write("a.jsonl", string.Join("\n", Lines.Select(l => l.Replace("\"id\":\"9100", "\"id\":\"9200", StringComparison.Ordinal))) + "\n");
        await CliRunner.OkAsync(database, "import", "--company", Id(a.Id), source);
        var exportA = Path.Combine(folder.Path, "export-a.jsonl");
        await CliRunner.OkAsync(database, "export", "--url", fixture.App.Address.ToString(), "--key", a.Key, "--out", exportA);

        await using var other = await OtherProviderDatabaseAsync();
        Ci.SkipIf(other is null, "the other database provider is unavailable");
        var b = await CompanyQueries.CreateAsync(other.Db, "B");
        var bKey = await KeyQueries.CreateAsync(other.Db, b.Id, "export");
        await CliRunner.OkAsync(other, "import", "--company", Id(b.Id), exportA);
        await using var appB = await TestApp.StartAsync(other);
        var exportB = Path.Combine(folder.Path, "export-b.jsonl");
        await CliRunner.OkAsync(other, "export", "--url", appB.Address.ToString(), "--key", bKey.Key, "--out", exportB);

        Assert.Equal(await File.ReadAllBytesAsync(exportA), await File.ReadAllBytesAsync(exportB));
    }

    [SkippableFact]
    public async Task TheExportIsTheApisDataInImportsShapeAndImportsBackUnchanged()
    {
        var database = Database;
        using var folder = new TempFolder();
        var company = await fixture.Data.CompanyAsync();
        var vip = await fixture.Data.TagAsync(company.Id, "VIP", "#1156d6");
        var plain = await fixture.Data.TagAsync(company.Id, "Ämne");
        var jane = await fixture.Data.ContactAsync(company.Id, "Jane", "Doe", "jane@example.com", "1234567890", null,
            "https://cdn.example.com/avatars/jane.jpg", new DateTime(2025, 8, 1, 10, 0, 0, DateTimeKind.Utc),
            new DateTime(2025, 9, 15, 8, 30, 0, 123, DateTimeKind.Utc), plain, vip);
        var ivan = await fixture.Data.ContactAsync(company.Id, "Иван", null, null, "79001234567");

        var result = await CliRunner.OkAsync(database, "export", "--url", fixture.App.Address.ToString().TrimEnd('/'), "--key", company.Key);

        Assert.Equal(
            "{\"id\":\"" + jane + "\",\"first_name\":\"Jane\",\"last_name\":\"Doe\",\"email\":\"jane@example.com\",\"phone_number\":\"1234567890\"," +
            "\"phone_number_lid\":null,\"profile_picture\":\"https://cdn.example.com/avatars/jane.jpg\",\"created_at\":\"2025-08-01T10:00:00.000Z\"," +
            "\"updated_at\":\"2025-09-15T08:30:00.123Z\",\"tags\":[{\"name\":\"VIP\",\"color\":\"#1156d6\"},{\"name\":\"Ämne\",\"color\":null}]}\n" +
            "{\"id\":\"" + ivan + "\",\"first_name\":\"Иван\",\"last_name\":null,\"email\":null,\"phone_number\":\"79001234567\"," +
            "\"phone_number_lid\":null,\"profile_picture\":null,\"created_at\":\"2025-08-01T10:00:00.000Z\",\"updated_at\":\"2025-08-01T10:00:00.000Z\",\"tags\":[]}\n",
            result.Stdout);
        Assert.Contains("Exported 2 contact(s)", result.Stderr, StringComparison.Ordinal);

        var before = await database.Db.DumpCompanyAsync(company.Id);
        var again = (await CliRunner.OkAsync(database, "import", "--company", Id(company.Id), folder.Write("back.jsonl", result.Stdout), "--json")).Json();
        Assert.Equal((0, 0, 2), (again.GetProperty("inserted").GetInt32(), again.GetProperty("updated").GetInt32(), again.GetProperty("unchanged").GetInt32()));
        Assert.Equal(before, await database.Db.DumpCompanyAsync(company.Id));
    }

    [SkippableFact]
    public async Task AnExportOfNoContactsIsAnEmptyFile()
    {
        var database = Database;
        using var folder = new TempFolder();
        var company = await fixture.Data.CompanyAsync();
        var file = Path.Combine(folder.Path, "empty.jsonl");
        var result = await CliRunner.OkAsync(database, "export", "--url", fixture.App.Address.ToString(), "--key", company.Key, "--out", file);
        Assert.Equal(0, new FileInfo(file).Length);
        Assert.Contains("Exported 0 contact(s)", result.Stdout, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task AnUnknownKeyIsBadInputAndLeavesAnEarlierFileAlone()
    {
        _ = Database;
        using var folder = new TempFolder();
        var file = folder.Write("earlier.jsonl", "earlier\n");

        var result = await CliRunner.RunAsync("export", "--url", fixture.App.Address.ToString(), "--key", "ck_000000000000_" + new string('0', 64), "--out", file);

        Assert.Equal(ContactsCli.BadInput, result.ExitCode);
        Assert.Contains("refused the API key", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("401", result.Stderr, StringComparison.Ordinal);
        Assert.Equal("earlier\n", await File.ReadAllTextAsync(file));
        Assert.Equal([file], Directory.GetFiles(folder.Path));
    }

    [SkippableFact]
    public async Task TheKeyFromTheEnvironmentOrFromStandardInputExportsWithoutAWarning()
    {
        var company = await fixture.Data.CompanyAsync();
        await fixture.Data.ContactAsync(company.Id, "Jane");
        string[] export = ["export", "--url", fixture.App.Address.ToString()];

        var fromEnvironment = await CliRunner.RunAsync(export, new Dictionary<string, string?> { [ExportCommand.KeyVariable] = company.Key });
        // Standard input wins over the variable when asked for.
        var fromStdin = await CliRunner.RunAsync([.. export, "--key-stdin"],
            new Dictionary<string, string?> { [ExportCommand.KeyVariable] = UnknownKey }, $"  {company.Key}  \nrest\n");

        foreach (var result in new[] { fromEnvironment, fromStdin })
        {
            Assert.True(result.ExitCode == 0, result.ToString());
            Assert.Contains("\"first_name\":\"Jane\"", result.Stdout, StringComparison.Ordinal);
            Assert.DoesNotContain("warning", result.Stderr, StringComparison.OrdinalIgnoreCase);
        }
    }

    [SkippableFact]
    public async Task AKeyOnTheCommandLineStillExportsButWarnsThatOtherUsersCanSeeIt()
    {
        var company = await fixture.Data.CompanyAsync();

        var result = await CliRunner.OkAsync(Database, "export", "--url", fixture.App.Address.ToString(), "--key", company.Key);

        Assert.Contains("warning: --key puts the API key on the command line", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("ps", result.Stderr, StringComparison.Ordinal);
        Assert.Contains($"prefer {ExportCommand.KeyVariable} or --key-stdin", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(company.Key, result.Stderr, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task AnExportFromACursorWritesOnlyTheContactsChangedSinceAndListsTheDeletedIds()
    {
        var database = Database;
        using var folder = new TempFolder();
        var company = await fixture.Data.CompanyAsync();
        var kept = await fixture.Data.ContactAsync(company.Id, "Kept", "Same");
        var renamed = await fixture.Data.ContactAsync(company.Id, "Before", "Rename");
        var removed = await fixture.Data.ContactAsync(company.Id, "Gone", "Soon");
        string[] export = ["export", "--url", fixture.App.Address.ToString(), "--key", company.Key, "--json", "--page-size", "2"];

        var full = (await CliRunner.OkAsync(database, [.. export, "--changes", "--out", Path.Combine(folder.Path, "full.jsonl")])).Json();
        Assert.Equal(3, full.GetProperty("exported").GetInt64());
        Assert.Equal(0, full.GetProperty("deleted").GetArrayLength());
        Assert.Equal([kept, renamed, removed], (await File.ReadAllLinesAsync(Path.Combine(folder.Path, "full.jsonl"))).Select(LineId));

        // Another application writes: a rename, a delete, a new contact; the one left alone must not come again.
        // (The new contact before the delete: SQLite would give it the deleted contact's id, the highest.)
        await SqlAsync(database.Db, $"UPDATE contact SET first_name = 'After' WHERE id = {renamed}");
        var added = await fixture.Data.ContactAsync(company.Id, "New", "Comer");
        await SqlAsync(database.Db, $"DELETE FROM contact WHERE id = {removed}");

        var deltaFile = Path.Combine(folder.Path, "delta.jsonl");
        var delta = (await CliRunner.OkAsync(database, [.. export, "--cursor", full.Text("next_cursor"), "--out", deltaFile])).Json();
        Assert.Equal(2, delta.GetProperty("exported").GetInt64());
        Assert.Equal([Id(removed)], delta.GetProperty("deleted").EnumerateArray().Select(d => d.GetString()));
        var lines = await File.ReadAllLinesAsync(deltaFile);
        Assert.Equal([renamed, added], lines.Select(LineId));
        Assert.Equal("After", JsonDocument.Parse(lines[0]).RootElement.GetProperty("first_name").GetString());

        var nothing = (await CliRunner.OkAsync(database, [.. export, "--cursor", delta.Text("next_cursor"), "--out", deltaFile])).Json();
        Assert.Equal(0, nothing.GetProperty("exported").GetInt64());
        Assert.Equal(0, nothing.GetProperty("deleted").GetArrayLength());
        Assert.Equal(0, new FileInfo(deltaFile).Length);

        foreach (var bad in new[] { "not-a-cursor", " " })
        {
            var refused = await CliRunner.RunAsync([.. database.CliOptions, .. export, "--cursor", bad]);
            Assert.True(refused.ExitCode == ContactsCli.BadInput, refused.ToString());
            Assert.Contains("--cursor", refused.Stderr, StringComparison.Ordinal);
        }

        // A server keeping no history purges the deletion at once: the first cursor, from before it, has expired.
        await using (var noHistory = await TestApp.StartAsync(database, "--Sync:HistoryDays=0"))
            await noHistory.Services.GetRequiredService<ChangeFeedPurge>().PurgeOnceAsync();
        var expired = await CliRunner.RunAsync([.. database.CliOptions, .. export, "--cursor", full.Text("next_cursor"), "--out", deltaFile]);
        Assert.True(expired.ExitCode == ContactsCli.BadInput, expired.ToString());
        Assert.Contains("export everything again with --changes", expired.Stderr, StringComparison.Ordinal);
        Assert.Equal(0, new FileInfo(deltaFile).Length); // the earlier file is left as it was
    }

    private static long LineId(string line) => long.Parse(JsonDocument.Parse(line).RootElement.GetProperty("id").GetString()!, CultureInfo.InvariantCulture);

    private static async Task SqlAsync(ContactsDatabase db, string sql)
    {
        await using var connection = await db.OpenAsync();
        await using var command = db.Command(connection, sql);
        await command.ExecuteNonQueryAsync();
    }

    private const string UnknownKey = "ck_000000000000_0000000000000000000000000000000000000000000000000000000000000000";

    private static string Id(long id) => id.ToString(CultureInfo.InvariantCulture);

    /// <summary>A company's contacts (every column but company_id), tags and tag assignments by name: ids of tags and companies differ between databases.</summary>
    private static Task<string> RowsAsync(ContactsDatabase db, long companyId) => db.DumpAsync(companyId,
    [
        "SELECT * FROM contact WHERE company_id = @company ORDER BY id",
        "SELECT name, color, name_folded FROM tag WHERE company_id = @company ORDER BY name_folded",
        "SELECT ct.contact_id, t.name FROM contact_tag ct JOIN tag t ON t.id = ct.tag_id WHERE ct.company_id = @company ORDER BY ct.contact_id, t.name_folded",
    ], "company_id");
}

public sealed class SqliteExportRoundTripTests(SqliteAppFixture fixture) : ExportRoundTripTests(fixture), IClassFixture<SqliteAppFixture>
{
    protected override Task<TestDatabase> FreshDatabaseAsync() => TestDatabase.SqliteAsync();

    protected override async Task<TestDatabase?> OtherProviderDatabaseAsync()
    {
        var server = await PostgresServer.SharedAsync();
        return server.UnavailableReason is null ? await TestDatabase.PostgresAsync(server) : null;
    }
}

public sealed class PostgresExportRoundTripTests(PostgresAppFixture fixture) : ExportRoundTripTests(fixture), IClassFixture<PostgresAppFixture>
{
    protected override async Task<TestDatabase> FreshDatabaseAsync() => await TestDatabase.PostgresAsync(await PostgresServer.SharedAsync());

    protected override async Task<TestDatabase?> OtherProviderDatabaseAsync() => await TestDatabase.SqliteAsync();
}

/// <summary>Export's errors that need no server: bad flags are bad input (2), an unreachable server is a failure (1).</summary>
public sealed class ExportCommandErrorTests
{
    [Theory]
    [InlineData("not a url")]
    [InlineData("ftp://example.com")]
    [InlineData("/api/v1/contacts")]
    [InlineData("http://localhost:5000/?page=2")]
    public async Task AUrlThatIsNotAnHttpServerRootIsBadInput(string url)
    {
        var result = await CliRunner.RunAsync("export", "--url", url, "--key", "ck_x");
        Assert.Equal(ContactsCli.BadInput, result.ExitCode);
        Assert.Contains("--url", result.Stderr, StringComparison.Ordinal);
        Assert.Equal("", result.Stdout);
    }

    [Fact]
    public async Task AMissingKeyIsBadInput()
    {
        var result = await CliRunner.RunAsync("export", "--url", "http://127.0.0.1:9");
        Assert.Equal(ContactsCli.BadInput, result.ExitCode);
        Assert.Contains("--key", result.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--key-stdin")]
    [InlineData("--key-stdin", "--key", "ck_x")]
    public async Task AnEmptyStandardInputOrTwoSourcesOfTheKeyAreBadInput(params string[] keyArgs)
    {
        var result = await CliRunner.RunAsync(["export", "--url", "http://127.0.0.1:9", .. keyArgs], KeyInEnvironment, stdin: "\n");

        Assert.Equal(ContactsCli.BadInput, result.ExitCode);
        Assert.Contains("--key-stdin", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("cannot reach", result.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://contacts.example.com")]
    [InlineData("http://10.0.0.1:5000")]
    [InlineData("http://128.0.0.1:9")]
    [InlineData("http://0.0.0.0:9")]
    [InlineData("http://[::2]:9")]
    [InlineData("http://localhost.example.com:9")]
    [InlineData("http://127.0.0.1.example.com:9")]
    public async Task PlainHttpToAnotherMachineIsRefusedBeforeAnyRequest(string url)
    {
        var result = await CliRunner.RunAsync(["export", "--url", url], KeyInEnvironment);

        Assert.Equal(ContactsCli.BadInput, result.ExitCode);
        Assert.Contains("plain http", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("--allow-insecure-http", result.Stderr, StringComparison.Ordinal);
        Assert.Equal("", result.Stdout);
    }

    [Theory]
    [InlineData("http://localhost:9")]
    [InlineData("http://LocalHost:9")]
    [InlineData("http://127.0.0.1:9")]
    [InlineData("http://127.45.6.7:9")]
    [InlineData("http://[::1]:9")]
    [InlineData("http://[::ffff:127.0.0.1]:9")]
    [InlineData("https://0.0.0.0:9")]
    [InlineData("http://0.0.0.0:9", "--allow-insecure-http")]
    public async Task PlainHttpOnThisMachineHttpsAnywhereAndAllowedPlainHttpAreSent(string url, params string[] extra)
    {
        // Port 9 is closed: the request is sent and fails to connect, where a refused URL never gets that far.
        var result = await CliRunner.RunAsync(["export", "--url", url, .. extra], KeyInEnvironment);

        Assert.Equal(ContactsCli.Failed, result.ExitCode);
        Assert.Contains("cannot reach the server", result.Stderr, StringComparison.Ordinal);
    }

    private static readonly Dictionary<string, string?> KeyInEnvironment = new() { [ExportCommand.KeyVariable] = "ck_x" };

    [Fact]
    public async Task AnUnreachableServerFailsWithAClearError()
    {
        int port;
        using (var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        }
        using var folder = new TempFolder();
        var file = Path.Combine(folder.Path, "out.jsonl");

        var result = await CliRunner.RunAsync("export", "--url", $"http://127.0.0.1:{port}", "--key", "ck_x", "--out", file);

        Assert.Equal(ContactsCli.Failed, result.ExitCode);
        Assert.Contains("cannot reach the server", result.Stderr, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(folder.Path));
    }
}
