using Contacts.Import;
using Contacts.Tests.Cli;
using Contacts.Tests.Infrastructure;

namespace Contacts.Tests.Import;

/// <summary>
/// The import reads its file once: rows are validated as they stream into the writer's transaction, so a bad row
/// anywhere (even after batches were written) or a line too long to read must leave nothing behind.
/// </summary>
public abstract class ImportSinglePassTests(AppFixture fixture) : ImportTestBase(fixture)
{
    [SkippableFact]
    public async Task ARowInvalidDeepInALargeFileRejectsTheWholeImportAndWritesNothing()
    {
        var company = await CompanyAsync();
        var tag = "Pass" + Guid.NewGuid().ToString("N")[..6];
        var lines = Enumerable.Range(1, 5000).Select(i => i == 4500
            ? """{"email": "not an email", "tags": ["x"]}"""
            : $$"""{"email": "row{{i}}@single.test", "first_name": "Row {{i}}", "tags": ["{{tag}}"]}""");
        var file = Jsonl("large.jsonl", [.. lines]);

        var outcome = await ImportJsonAsync(company, file, expectedExit: 2);

        var error = Assert.Single(Errors(outcome));
        Assert.Equal(4500, error.Line);
        Assert.Contains("is not an email address", error.Reason, StringComparison.Ordinal);
        Assert.Empty(await ContactsAsync(company));
        Assert.Equal(0, await TagCountAsync(company));
    }

    [SkippableFact]
    public async Task ARowInvalidDeepInALargeFileIsReportedAndSkippedWithSkipInvalid()
    {
        var company = await CompanyAsync();
        var lines = Enumerable.Range(1, 4100).Select(i => i == 4050
            ? """{"phone_number": "call me"}"""
            : $$"""{"email": "skip{{i}}@single.test"}""");
        var file = Jsonl("large.jsonl", [.. lines]);

        var outcome = await ImportJsonAsync(company, file, expectedExit: 0, "--skip-invalid");

        AssertCounts(outcome, inserted: 4099, updated: 0, unchanged: 0, rejected: 1);
        Assert.Equal(4050, Assert.Single(Errors(outcome)).Line);
        Assert.Equal(4099, (await ContactsAsync(company)).Count);
    }

    [SkippableFact]
    public async Task AnOverLongJsonLineGivesItsLineNumberAndNothingIsWritten()
    {
        var company = await CompanyAsync();
        var longName = new string('a', ContactFileReader.MaxLineLength);
        var file = Jsonl("long.jsonl",
            """{"email": "before@long.test"}""",
            $$"""{"email": "long@long.test", "first_name": "{{longName}}"}""",
            """{"email": "after@long.test"}""");

        var outcome = await ImportJsonAsync(company, file, expectedExit: 2);

        var error = Assert.Single(Errors(outcome));
        Assert.Equal(2, error.Line);
        Assert.Contains("the line is longer than 4,194,304 characters", error.Reason, StringComparison.Ordinal);
        Assert.Empty(await ContactsAsync(company));
    }

    private async Task<long> TagCountAsync(long company)
    {
        await using var connection = await Db.OpenAsync();
        await using var command = Db.Command(connection, "SELECT count(*) FROM tag WHERE company_id = @company");
        Contacts.Data.ContactsDatabase.AddParameter(command, "@company", company);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }
}

public sealed class SqliteImportSinglePassTests(SqliteCliFixture fixture) : ImportSinglePassTests(fixture), IClassFixture<SqliteCliFixture>;

public sealed class PostgresImportSinglePassTests(PostgresCliFixture fixture) : ImportSinglePassTests(fixture), IClassFixture<PostgresCliFixture>;
