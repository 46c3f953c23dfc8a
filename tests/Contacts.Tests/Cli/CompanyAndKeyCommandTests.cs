using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Contacts.Data;
using Contacts.Tests.Infrastructure;

namespace Contacts.Tests.Cli;

/// <summary>company and key commands through the real command line, on SQLite and PostgreSQL.</summary>
public abstract class CompanyAndKeyCommandTests(AppFixture fixture)
{
    protected TestDatabase Database => fixture.Database;

    private async Task<long> CreateCompanyAsync(string name = "Acme")
    {
        var result = await CliRunner.OkAsync(Database, "company", "create", "--name", name, "--json");
        return result.Json().Id();
    }

    private async Task<JsonElement> CreateKeyAsync(long company, params string[] extra) =>
        (await CliRunner.OkAsync(Database, ["key", "create", "--company", company.ToString(CultureInfo.InvariantCulture), "--json", .. extra])).Json();

    [SkippableFact]
    public async Task CompanyCreateJsonPrintsTheNewCompanysIdAndName()
    {
        var result = await CliRunner.OkAsync(Database, "company", "create", "--name", "Société Générale 東京", "--json");

        var json = result.Json();
        Assert.Equal("Société Générale 東京", json.Text("name"));
        var id = json.Id();
        var stored = await CompanyQueries.FindAsync(Database.Db, id);
        Assert.Equal("Société Générale 東京", stored?.Name);
        Assert.Equal("", result.Stderr);
    }

    [SkippableFact]
    public async Task CompanyCreateWithoutJsonPrintsAReadableLineWithTheId()
    {
        var result = await CliRunner.OkAsync(Database, "company", "create", "--name", "Plain Text Ltd");

        var id = (await CompanyQueries.ListAsync(Database.Db)).Last(c => c.Name == "Plain Text Ltd").Id;
        Assert.Contains(id.ToString(CultureInfo.InvariantCulture), result.Stdout, StringComparison.Ordinal);
        Assert.Contains("Plain Text Ltd", result.Stdout, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task CompanyListJsonListsEveryCompanyWithIdAndName()
    {
        var first = await CreateCompanyAsync("List One");
        var second = await CreateCompanyAsync("List Two");
        await CreateKeyAsync(second);

        var list = (await CliRunner.OkAsync(Database, "company", "list", "--json")).Json();

        Assert.Equal(JsonValueKind.Array, list.ValueKind);
        var byId = list.EnumerateArray().ToDictionary(c => c.Id());
        Assert.Equal("List One", byId[first].Text("name"));
        Assert.Equal("List Two", byId[second].Text("name"));
        Assert.Equal(0, byId[first].GetProperty("active_keys").GetInt64());
        Assert.Equal(1, byId[second].GetProperty("active_keys").GetInt64());
    }

    [SkippableFact]
    public async Task KeyCreateJsonPrintsAShortIdTheCompanyAndTheSecretWithTheCkPrefix()
    {
        var company = await CreateCompanyAsync();

        var key = await CreateKeyAsync(company, "--name", "crm sync");

        var id = key.Text("id");
        var secret = key.Text("key");
        Assert.InRange(id.Length, 4, 16);
        Assert.Equal(company, key.Id("company_id"));
        Assert.Equal("crm sync", key.Text("name"));
        Assert.StartsWith("ck_", secret, StringComparison.Ordinal);
        Assert.True(secret.Length >= id.Length + 3 + 43, $"a key needs at least 256 bits of secret beyond its id: {secret}");
        Assert.True(ApiKeys.TryParse(secret, out var parsedId));
        Assert.Equal(id, parsedId);
    }

    [SkippableFact]
    public async Task TwoKeysOfOneCompanyHaveDifferentIdsAndSecrets()
    {
        var company = await CreateCompanyAsync();

        var a = await CreateKeyAsync(company);
        var b = await CreateKeyAsync(company);

        Assert.NotEqual(a.Text("id"), b.Text("id"));
        Assert.NotEqual(a.Text("key"), b.Text("key"));
    }

    [SkippableFact]
    public async Task TheDatabaseStoresOnlyTheSha256OfTheKeyNeverItsText()
    {
        var company = await CreateCompanyAsync();
        var key = await CreateKeyAsync(company, "--name", "stored");
        var secret = key.Text("key");
        var secretPart = secret[(secret.LastIndexOf('_') + 1)..];

        await using var connection = await Database.Db.OpenAsync();
        await using var command = Database.Db.Command(connection, "SELECT * FROM api_key WHERE key_id = @id");
        ContactsDatabase.AddParameter(command, "@id", key.Text("id"));
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        byte[]? hash = null;
        for (var i = 0; i < reader.FieldCount; i++)
        {
            var value = reader.GetValue(i);
            var texts = value is byte[] bytes
                ? new[] { Encoding.UTF8.GetString(bytes), Encoding.Latin1.GetString(bytes), Convert.ToHexString(bytes), Convert.ToBase64String(bytes) }
                : [Convert.ToString(value, CultureInfo.InvariantCulture) ?? ""];
            foreach (var text in texts)
            {
                Assert.DoesNotContain(secretPart, text, StringComparison.OrdinalIgnoreCase);
                Assert.DoesNotContain(secret, text, StringComparison.OrdinalIgnoreCase);
            }
            if (reader.GetName(i) == "secret_hash") hash = (byte[])value;
        }
        Assert.Equal(SHA256.HashData(Encoding.UTF8.GetBytes(secret)), hash);
    }

    [SkippableFact]
    public async Task KeyListJsonShowsIdsButNeverTheSecret()
    {
        var company = await CreateCompanyAsync();
        var a = await CreateKeyAsync(company, "--name", "first");
        var b = await CreateKeyAsync(company);

        var result = await CliRunner.OkAsync(Database, "key", "list", "--company", company.ToString(CultureInfo.InvariantCulture), "--json");
        var text = await CliRunner.OkAsync(Database, "key", "list", "--company", company.ToString(CultureInfo.InvariantCulture));

        var list = result.Json().EnumerateArray().ToList();
        Assert.Equal([a.Text("id"), b.Text("id")], list.Select(k => k.Text("id")));
        Assert.All(list, k => Assert.Equal(company, k.Id("company_id")));
        Assert.All(list, k => Assert.False(k.TryGetProperty("key", out _)));
        Assert.All(list, k => Assert.False(k.TryGetProperty("secret_hash", out _)));
        foreach (var output in new[] { result.Stdout, result.Stderr, text.Stdout, text.Stderr })
        {
            foreach (var secret in new[] { a.Text("key"), b.Text("key") })
                Assert.DoesNotContain(secret[(secret.LastIndexOf('_') + 1)..], output, StringComparison.OrdinalIgnoreCase);
        }
    }

    [SkippableFact]
    public async Task KeyListOfACompanyWithoutKeysIsAnEmptyArray()
    {
        var company = await CreateCompanyAsync();

        var result = await CliRunner.OkAsync(Database, "key", "list", "--company", company.ToString(CultureInfo.InvariantCulture), "--json");

        Assert.Equal(0, result.Json().GetArrayLength());
    }

    [SkippableFact]
    public async Task ARevokedKeyIsRefusedByTheApiWhileAnotherKeyOfTheCompanyStillWorks()
    {
        var company = await CreateCompanyAsync();
        var revoked = await CreateKeyAsync(company);
        var kept = await CreateKeyAsync(company);
        using var revokedClient = fixture.App.ClientWithKey(revoked.Text("key"));
        using var keptClient = fixture.App.ClientWithKey(kept.Text("key"));
        Assert.Equal(HttpStatusCode.OK, (await revokedClient.GetAsync("/api/v1/contacts")).StatusCode);

        var result = await CliRunner.OkAsync(Database, "key", "revoke", "--id", revoked.Text("id"), "--json");

        Assert.Equal(revoked.Text("id"), result.Json().Text("id"));
        Assert.True(result.Json().GetProperty("revoked").GetBoolean());
        var refused = await revokedClient.GetAsync("/api/v1/contacts");
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal("Bearer", refused.Headers.WwwAuthenticate.Single().Scheme);
        Assert.Equal(HttpStatusCode.OK, (await keptClient.GetAsync("/api/v1/contacts")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await keptClient.GetAsync("/api/v1/contacts/tags")).StatusCode);
    }

    [SkippableFact]
    public async Task KeyListShowsWhenAKeyWasRevoked()
    {
        var company = await CreateCompanyAsync();
        var revoked = await CreateKeyAsync(company);
        var kept = await CreateKeyAsync(company);

        await CliRunner.OkAsync(Database, "key", "revoke", "--id", revoked.Text("id"));

        var list = (await CliRunner.OkAsync(Database, "key", "list", "--company", company.ToString(CultureInfo.InvariantCulture), "--json"))
            .Json().EnumerateArray().ToDictionary(k => k.Text("id"));
        Assert.Equal(JsonValueKind.String, list[revoked.Text("id")].GetProperty("revoked_at").ValueKind);
        Assert.Equal(JsonValueKind.Null, list[kept.Text("id")].GetProperty("revoked_at").ValueKind);
    }

    [SkippableFact]
    public async Task RevokingAKeyTwiceIsBadInput()
    {
        var company = await CreateCompanyAsync();
        var key = await CreateKeyAsync(company);
        await CliRunner.OkAsync(Database, "key", "revoke", "--id", key.Text("id"));

        var again = await CliRunner.RunAsync(Database, "key", "revoke", "--id", key.Text("id"));

        Assert.Equal(2, again.ExitCode);
        Assert.Contains(key.Text("id"), again.Stderr, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task RevokingAnUnknownKeyIdIsBadInputWithAClearMessage()
    {
        var result = await CliRunner.RunAsync(Database, "key", "revoke", "--id", "000000000000");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("No active key with id '000000000000'", result.Stderr, StringComparison.Ordinal);
        Assert.Equal("", result.Stdout);
    }

    [SkippableTheory]
    [InlineData("key", "create")]
    [InlineData("key", "list")]
    public async Task KeyCommandsForAnUnknownCompanyAreBadInputWithAClearMessage(string group, string command)
    {
        var result = await CliRunner.RunAsync(Database, group, command, "--company", "987654321", "--json");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("No company with id 987654321", result.Stderr, StringComparison.Ordinal);
        Assert.Equal("", result.Stdout);
        Assert.DoesNotContain("   at ", result.Stderr, StringComparison.Ordinal);
    }

    [SkippableTheory]
    [InlineData("company", "create")]
    [InlineData("key", "create")]
    [InlineData("key", "list")]
    [InlineData("key", "revoke")]
    [InlineData("import", "file.csv")]
    public async Task AMissingRequiredFlagIsBadInput(string group, string command)
    {
        var result = await CliRunner.RunAsync(Database, group, command);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("error:", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("--", result.Stderr, StringComparison.Ordinal);
        Assert.Equal("", result.Stdout);
    }

    [SkippableTheory]
    [InlineData("key", "create", "--company", "abc")]
    [InlineData("key", "list", "--company", "")]
    [InlineData("company", "create", "--name", "   ")]
    [InlineData("company", "create", "--name", "x", "--bogus-flag")]
    public async Task BadFlagValuesAreBadInput(params string[] args)
    {
        var result = await CliRunner.RunAsync(Database, args);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("error:", result.Stderr, StringComparison.Ordinal);
    }

    [SkippableTheory]
    [InlineData("frobnicate")]
    [InlineData("company", "frobnicate")]
    [InlineData("key", "rotate", "--id", "x")]
    public async Task AnUnknownCommandIsBadInput(params string[] args)
    {
        var result = await CliRunner.RunAsync(Database, args);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("error:", result.Stderr, StringComparison.Ordinal);
    }
}

public sealed class SqliteCompanyAndKeyCommandTests(SqliteCliFixture fixture)
    : CompanyAndKeyCommandTests(fixture), IClassFixture<SqliteCliFixture>;

public sealed class PostgresCompanyAndKeyCommandTests(PostgresCliFixture fixture)
    : CompanyAndKeyCommandTests(fixture), IClassFixture<PostgresCliFixture>;
