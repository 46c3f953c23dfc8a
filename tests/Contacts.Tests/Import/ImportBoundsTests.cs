using Contacts.Import;
using Contacts.Tests.Cli;
using Contacts.Tests.Infrastructure;

namespace Contacts.Tests.Import;

/// <summary>
/// Import memory does not grow with bad input: errors are counted and only the first 100 kept, lines and fields are
/// capped (exit 2 naming the line), and nothing says rows were written when the import rolled back. SQLite and PostgreSQL.
/// </summary>
public abstract class ImportBoundsTests(AppFixture fixture) : ImportTestBase(fixture)
{
    private const int InvalidRows = 5000;

    [SkippableTheory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task OnlyTheFirst100ErrorsAreKeptButEveryInvalidRowIsCounted(bool skipInvalid)
    {
        var company = await CompanyAsync();
        // Line 1's id belongs to another company's contact: the database refuses it only when its batch is written,
        // after the reader has refused later lines, and it still comes first.
        var foreignId = NewId();
        await ImportJsonAsync(await CompanyAsync(), Jsonl("other.jsonl", $$"""{"id": "{{Id(foreignId)}}", "email": "other@bounds.test"}"""));
        var lines = new List<string> { $$"""{"id": "{{Id(foreignId)}}", "email": "mine@bounds.test"}""" };
        for (var i = 0; i < InvalidRows - 1; i++)
        {
            lines.Add($$"""{"email": "valid{{i}}@bounds.test"}""");
            lines.Add($$"""{"email": "invalid {{i}}"}""");
        }
        var file = Jsonl("many-invalid.jsonl", [.. lines]);

        var outcome = await ImportJsonAsync(company, file, expectedExit: skipInvalid ? 0 : 2, skipInvalid ? ["--skip-invalid"] : []);

        Assert.Equal(InvalidRows, outcome.GetProperty("rejected").GetInt32());
        var errors = Errors(outcome);
        Assert.Equal(100, errors.Count);
        Assert.Equal(1, errors[0].Line);
        Assert.Contains("another company", errors[0].Reason, StringComparison.Ordinal);
        Assert.Equal(Enumerable.Range(1, 99).Select(i => 2 * i + 1), errors.Skip(1).Select(e => e.Line));
        Assert.Equal(skipInvalid ? InvalidRows - 1 : 0, (await ContactsAsync(company)).Count);
    }

    [SkippableTheory]
    [InlineData(1)]
    [InlineData(3)]
    public async Task AHugeCsvFieldIsRefusedWithExit2AndItsLineNumber(int hugeLine)
    {
        var company = await CompanyAsync();
        var huge = new string('b', ContactFileReader.MaxFieldLength + 10);
        var file = Files.Write("huge.csv", hugeLine == 1
            ? $"id,\"{huge}\"\n,,,a@huge.test,,,,,,\n"
            : $"{Header}\n,,,first@huge.test,,,,,,\n,\"{huge}\",,second@huge.test,,,,,,\n,,,third@huge.test,,,,,,\n");

        var result = await ImportAsync(company, file, "--skip-invalid");

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains($"huge.csv:{hugeLine}: a field is longer than 2,097,152 characters", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", result.Stderr, StringComparison.Ordinal);
        Assert.Empty(await ContactsAsync(company));
    }

    [SkippableFact]
    public async Task ACsvRecordOfManyShortFieldsIsCappedLikeALongLine()
    {
        var company = await CompanyAsync();
        // No field is long, but the record is: the cap is on the record too, or its field list would grow without end.
        var file = Files.Write("wide.csv", $"{Header}\n,,,first@wide.test,,,,,,\n{new string(',', ContactFileReader.MaxLineLength + 10)}\n");

        var result = await ImportAsync(company, file, "--skip-invalid");

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("wide.csv:3: the line is longer than 4,194,304 characters", result.Stderr, StringComparison.Ordinal);
        Assert.Empty(await ContactsAsync(company));
    }

    [SkippableFact]
    public async Task AnOverLongJsonLineRefusesTheFileEvenWithSkipInvalid()
    {
        var company = await CompanyAsync();
        var file = Jsonl("long.jsonl",
            """{"email": "before@long.test"}""",
            $$"""{"email": "long@long.test", "first_name": "{{new string('a', ContactFileReader.MaxLineLength)}}"}""",
            """{"email": "after@long.test"}""");

        var result = await ImportAsync(company, file, "--skip-invalid");

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("long.jsonl:2: the line is longer than 4,194,304 characters", result.Stderr, StringComparison.Ordinal);
        Assert.Empty(await ContactsAsync(company));
    }

    [SkippableTheory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ARolledBackImportNeverSaysRowsWereWritten(bool json)
    {
        var company = await CompanyAsync();
        var file = Jsonl("rollback.jsonl", """{"email": "good@rollback.test"}""", """{"email": "not an email"}""");

        var result = await ImportAsync(company, file, json ? ["--json"] : []);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.DoesNotContain("rows written", result.Stderr + result.Stdout, StringComparison.Ordinal);
        if (!json) Assert.Contains("nothing was imported", result.Stderr, StringComparison.Ordinal);
        Assert.Empty(await ContactsAsync(company));
    }
}

public sealed class SqliteImportBoundsTests(SqliteCliFixture fixture) : ImportBoundsTests(fixture), IClassFixture<SqliteCliFixture>;

public sealed class PostgresImportBoundsTests(PostgresCliFixture fixture) : ImportBoundsTests(fixture), IClassFixture<PostgresCliFixture>;
