using System.Globalization;
using System.Text.RegularExpressions;
using Contacts.Data;
using Contacts.Tests.Infrastructure;

namespace Contacts.Tests.Cli;

/// <summary>
/// The exact bytes of every command's --json output: property names, their order, ids as strings, timestamps in UTC,
/// escaping and the trailing newline. Scripts parse these lines, so they change only on purpose.
/// </summary>
public abstract partial class CliJsonOutputTests(AppFixture fixture)
{
    private TestDatabase Database => fixture.Database;

    private const string Time = @"""\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,7})?Z""";

    private static void AssertLine(string pattern, string stdout) =>
        Assert.Matches(new Regex("^" + pattern + "\r?\n$", RegexOptions.None, TimeSpan.FromSeconds(5)), stdout);

    private static string Id(long id) => id.ToString(CultureInfo.InvariantCulture);

    [SkippableFact]
    public async Task CompanyCreateAndListPrintIdNameAndCountsInThisOrder()
    {
        var created = await CliRunner.OkAsync(Database, "company", "create", "--name", "Ünï & <Co> \"Q\"", "--json");
        var id = created.Json().Id();
        await KeyQueries.CreateAsync(Database.Db, id, "one");
        await fixture.Data.ContactAsync(id, "Jane");

        var list = await CliRunner.OkAsync(Database, "company", "list", "--json");

        const string name = @"""\\u00DCn\\u00EF \\u0026 \\u003CCo\\u003E \\u0022Q\\u0022""";
        AssertLine($@"\{{""id"":""{id}"",""name"":{name},""created_at"":{Time}\}}", created.Stdout);
        var item = $@"\{{""id"":""{id}"",""name"":{name},""created_at"":{Time},""contacts"":1,""active_keys"":1\}}";
        AssertLine($@"\[(\{{[^{{}}]*\}},)*{item}(,\{{[^{{}}]*\}})*\]", list.Stdout);
    }

    [SkippableFact]
    public async Task KeyCreateListAndRevokePrintTheirFieldsInThisOrder()
    {
        var company = await fixture.Data.CompanyAsync();
        var companyId = Id(company.Id);

        var named = await CliRunner.OkAsync(Database, "key", "create", "--company", companyId, "--name", "crm", "--json");
        var unnamed = await CliRunner.OkAsync(Database, "key", "create", "--company", companyId, "--json");
        var revoked = await CliRunner.OkAsync(Database, "key", "revoke", "--id", unnamed.Json().Text("id"), "--json");
        var list = await CliRunner.OkAsync(Database, "key", "list", "--company", companyId, "--json");

        var (namedId, unnamedId) = (named.Json().Text("id"), unnamed.Json().Text("id"));
        AssertLine($@"\{{""id"":""{namedId}"",""company_id"":""{companyId}"",""name"":""crm"",""key"":""ck_{namedId}_[0-9a-f]{{64}}""\}}", named.Stdout);
        AssertLine($@"\{{""id"":""{unnamedId}"",""company_id"":""{companyId}"",""name"":null,""key"":""ck_{unnamedId}_[0-9a-f]{{64}}""\}}", unnamed.Stdout);
        AssertLine($@"\{{""id"":""{unnamedId}"",""revoked"":true\}}", revoked.Stdout);
        // The fixture's own key comes first.
        AssertLine($@"\[\{{[^{{}}]*\}}," +
                   $@"\{{""id"":""{namedId}"",""company_id"":""{companyId}"",""name"":""crm"",""created_at"":{Time},""revoked_at"":null,""last_used_at"":null\}}," +
                   $@"\{{""id"":""{unnamedId}"",""company_id"":""{companyId}"",""name"":null,""created_at"":{Time},""revoked_at"":{Time},""last_used_at"":null\}}\]",
            list.Stdout);
    }

    [SkippableFact]
    public async Task MigratePrintsTheAppliedNamesAndTheVersion()
    {
        var result = await CliRunner.OkAsync(Database, "migrate", "--json");

        var version = await Migrator.CurrentVersionAsync(Database.Db);
        AssertLine($@"\{{""applied"":\[\],""version"":{version}\}}", result.Stdout);
    }

    [SkippableFact]
    public async Task ExportToAFilePrintsTheCountAndTheFile()
    {
        var company = await fixture.Data.CompanyAsync();
        await fixture.Data.ContactAsync(company.Id, "Jane");
        using var folder = new TempFolder();
        var file = Path.Combine(folder.Path, "out.jsonl");

        var result = await CliRunner.RunAsync(["export", "--url", fixture.App.Address.ToString(), "--out", file, "--json"],
            new Dictionary<string, string?> { ["CONTACTS_API_KEY"] = company.Key });

        Assert.True(result.ExitCode == 0, result.ToString());
        AssertLine($@"\{{""exported"":1,""file"":{Regex.Escape(System.Text.Json.JsonSerializer.Serialize(file))}\}}", result.Stdout);
    }
}

public sealed class SqliteCliJsonOutputTests(SqliteCliFixture fixture) : CliJsonOutputTests(fixture), IClassFixture<SqliteCliFixture>;

public sealed class PostgresCliJsonOutputTests(PostgresCliFixture fixture) : CliJsonOutputTests(fixture), IClassFixture<PostgresCliFixture>;
