using System.Text;
using System.Text.Json;
using Contacts.Data;
using Contacts.Tests.Cli;
using Contacts.Tests.Infrastructure;

namespace Contacts.Tests.Import;

/// <summary>What files `import` reads, and the line numbers it reports: CSV and JSON Lines, on SQLite and PostgreSQL.</summary>
public abstract class ImportFileFormatTests(AppFixture fixture) : ImportTestBase(fixture)
{
    private static readonly Encoding Utf8 = new UTF8Encoding(false);

    [SkippableTheory]
    [InlineData("csv")]
    [InlineData("jsonl")]
    public async Task AUtf8ByteOrderMarkAndCrlfLineEndingsAreRead(string format)
    {
        var company = await CompanyAsync();
        var lines = format == "csv"
            ? new[] { Header, ",Élodie,Ñandú,elodie@example.com,,,,,,Café;VIP", ",Bo,,bo@example.com,,,,,," }
            : ["""{"first_name":"Élodie","last_name":"Ñandú","email":"elodie@example.com","tags":["Café","VIP"]}""", """{"first_name":"Bo","email":"bo@example.com"}"""];
        var file = Files.WriteBytes("bom." + format, [0xEF, 0xBB, 0xBF, .. Utf8.GetBytes(string.Join("\r\n", lines) + "\r\n")]);

        var outcome = await ImportJsonAsync(company, file);

        AssertCounts(outcome, inserted: 2, updated: 0, unchanged: 0, rejected: 0);
        var contacts = await ContactsAsync(company);
        Assert.Equal(("Élodie", "Ñandú", "elodie@example.com"), (contacts[0].FirstName, contacts[0].LastName, contacts[0].Email));
        Assert.Equal(["Café", "VIP"], contacts[0].Tags);
        Assert.Equal(("Bo", "bo@example.com"), (contacts[1].FirstName, contacts[1].Email));
        Assert.Empty(contacts[1].Tags);
    }

    [SkippableFact]
    public async Task CrlfLineNumbersAreTheLinesAnEditorShows()
    {
        var company = await CompanyAsync();
        var file = Files.Write("crlf.csv", string.Join("\r\n", Header, ",A,,a@example.com,,,,,,", ",B,,b@,,,,,,", ",C,,c@example.com,,,,,,") + "\r\n");

        var outcome = await ImportJsonAsync(company, file, expectedExit: 2);

        Assert.Equal(3, Assert.Single(Errors(outcome)).Line);
    }

    [SkippableFact]
    public async Task QuotedFieldsWithCommasQuotesAndLineBreaksAreOneField()
    {
        var company = await CompanyAsync();
        var file = Files.Write("quoted.csv", string.Join("\n",
            Header,
            ",\"Doe, Jane\",\"O\"\"Brien\",jane@example.com,,,,,,\"VIP;\nLead, EMEA\"",
            ",\"  Spaced  \",,spaced@example.com,,,,,,",
            ",Next,Row,next@example.com,,,,,,",
            ",Bad,Row,bad-email,,,,,,") + "\n");

        var outcome = await ImportJsonAsync(company, file, expectedExit: 0, "--skip-invalid");

        AssertCounts(outcome, inserted: 3, updated: 0, unchanged: 0, rejected: 1);
        Assert.Equal(6, Assert.Single(Errors(outcome)).Line);
        var contacts = await ContactsAsync(company);
        Assert.Equal(("Doe, Jane", "O\"Brien"), (contacts[0].FirstName, contacts[0].LastName));
        Assert.Equal(["VIP", "Lead, EMEA"], contacts[0].Tags);
        Assert.Equal("Spaced", contacts[1].FirstName);
        Assert.Equal("Next", contacts[2].FirstName);
    }

    [SkippableFact]
    public async Task ALineBreakInsideANameIsRejectedOnTheLineWhereTheRecordStarts()
    {
        var company = await CompanyAsync();
        var file = Files.Write("break.csv", string.Join("\n", Header, ",A,,a@example.com,,,,,,", ",\"Two\nLines\",,two@example.com,,,,,,") + "\n");

        var outcome = await ImportJsonAsync(company, file, expectedExit: 2);

        var (line, reason) = Assert.Single(Errors(outcome));
        Assert.Equal(3, line);
        Assert.Contains("first_name contains control characters", reason, StringComparison.Ordinal);
    }

    [SkippableTheory]
    [InlineData("csv")]
    [InlineData("jsonl")]
    public async Task BlankLinesAreSkippedAndDoNotShiftLineNumbers(string format)
    {
        var company = await CompanyAsync();
        var lines = format == "csv"
            ? new[] { Header, "", ",A,,a@example.com,,,,,,", "   ", "", ",B,,b-at-example.com,,,,,,", "" }
            : ["", """{"first_name":"A","email":"a@example.com"}""", "   ", "", """{"first_name":"B","email":"b-at-example.com"}""", ""];
        var file = Files.Write("blank." + format, string.Join("\n", lines) + "\n");

        var outcome = await ImportJsonAsync(company, file, expectedExit: 0, "--skip-invalid");

        AssertCounts(outcome, inserted: 1, updated: 0, unchanged: 0, rejected: 1);
        var (line, reason) = Assert.Single(Errors(outcome));
        Assert.Equal(format == "csv" ? 6 : 5, line);
        Assert.Contains("b-at-example.com", reason, StringComparison.Ordinal);
    }

    [SkippableTheory]
    [InlineData(",Bad\"Quote,Name,q@example.com,,,,,,", 3)]
    [InlineData(",\"Closed\"trailing,Name,q@example.com,,,,,,", 3)]
    [InlineData(",\"Never closed,Name,q@example.com,,,,,,", 3)]
    public async Task BadQuotingIsReportedOnItsOwnLineAndNotOnTheNextOne(string bad, int expectedLine)
    {
        var company = await CompanyAsync();
        var file = Files.Write("quotes.csv", string.Join("\n", Header, ",A,,a@example.com,,,,,,", bad, ",Z,,z@example.com,,,,,,") + "\n");

        var outcome = await ImportJsonAsync(company, file, expectedExit: 0, "--skip-invalid");

        var (line, reason) = Assert.Single(Errors(outcome));
        Assert.Equal(expectedLine, line);
        Assert.Contains("quot", reason, StringComparison.Ordinal);
        Assert.DoesNotContain(await ContactsAsync(company), c => c.Email == "q@example.com");
        Assert.Contains(await ContactsAsync(company), c => c.FirstName == "A");
    }

    [SkippableFact]
    public async Task BadQuotingOnTheLastLineIsNotImported()
    {
        var company = await CompanyAsync();
        var file = Files.Write("last.csv", string.Join("\n", Header, ",A,,a@example.com,,,,,,", ",Bad\"Quote,,q@example.com,,,,,,") + "\n");

        var outcome = await ImportJsonAsync(company, file, expectedExit: 2);

        Assert.Equal(3, Assert.Single(Errors(outcome)).Line);
        Assert.Empty(await ContactsAsync(company));
    }

    [SkippableTheory]
    [InlineData("id,first_name,nickname,email", "'nickname'")]
    [InlineData("id,first_name,Email,email", "more than once")]
    [InlineData("first_name,last_name", "needs an id, phone_number or email column")]
    public async Task AHeaderThatCannotBeReadRightIsRefused(string header, string reason)
    {
        var company = await CompanyAsync();
        var file = Files.Write("header.csv", header + "\n1,A,B,a@example.com\n");

        var outcome = await ImportJsonAsync(company, file, expectedExit: 2);
        var skipped = await ImportJsonAsync(company, file, expectedExit: 2, "--skip-invalid");

        var (line, message) = Assert.Single(Errors(outcome));
        Assert.Equal(1, line);
        Assert.Contains(reason, message, StringComparison.Ordinal);
        Assert.False(skipped.GetProperty("imported").GetBoolean(), "no row of a file with an unusable header can be imported, even with --skip-invalid");
        Assert.Empty(await ContactsAsync(company));
    }

    [SkippableFact]
    public async Task AHeaderWithSomeColumnsInAnyOrderAndAnyCaseIsRead()
    {
        var company = await CompanyAsync();
        var file = Files.Write("subset.csv", " Email ,FIRST_NAME,tags\nana@example.com,Ana,VIP\n");

        var outcome = await ImportJsonAsync(company, file);

        AssertCounts(outcome, inserted: 1, updated: 0, unchanged: 0, rejected: 0);
        var contact = Assert.Single(await ContactsAsync(company));
        Assert.Equal(("Ana", null, "ana@example.com"), (contact.FirstName, contact.LastName, contact.Email));
        Assert.Equal(["VIP"], contact.Tags);
    }

    [SkippableTheory]
    [InlineData("csv", "")]
    [InlineData("csv", "\n\n")]
    [InlineData("jsonl", "")]
    public async Task AnEmptyFileImportsNothing(string format, string content)
    {
        var company = await CompanyAsync();
        var file = Files.Write("empty." + format, content);

        var result = await ImportAsync(company, file, "--json", "--skip-invalid");

        if (format == "csv")
        {
            Assert.Equal(2, result.ExitCode);
            Assert.Contains("header", Assert.Single(Errors(result.Json())).Reason, StringComparison.Ordinal);
        }
        else
        {
            Assert.Equal(0, result.ExitCode);
            AssertCounts(result.Json(), 0, 0, 0, 0);
        }
        Assert.Empty(await ContactsAsync(company));
    }

    [SkippableTheory]
    [InlineData("""{"first_name":42,"email":"a@example.com"}""", "first_name must be a string or null, not number")]
    [InlineData("""{"email":["a@example.com"]}""", "email must be a string or null, not array")]
    [InlineData("""{"email":"a@example.com","tags":"VIP"}""", "tags must be an array")]
    [InlineData("""{"email":"a@example.com","tags":[7]}""", "each tag must be a name or an object")]
    [InlineData("""{"email":"a@example.com","tags":[{"color":"#ffffff"}]}""", "each tag must be a name or an object")]
    [InlineData("""{"email":"a@example.com","tags":[{"name":"VIP","color":"blue"}]}""", "tag color 'blue' must look like #1156d6")]
    [InlineData("""{"id":1.5,"email":"a@example.com"}""", "id '1.5' is not a positive 64-bit integer")]
    [InlineData("""{"email":"a@example.com",""", "invalid JSON")]
    [InlineData("""["a@example.com"]""", "each line must be a JSON object")]
    [InlineData("""{"email":"a@example.com"} {"email":"b@example.com"}""", "invalid JSON")]
    public async Task AJsonLineOfTheWrongShapeIsRejectedWithItsLineNumber(string bad, string reason)
    {
        var company = await CompanyAsync();
        var file = Jsonl("bad.jsonl", """{"first_name":"Good","email":"good@example.com"}""", "", bad, """{"first_name":"Last","email":"last@example.com"}""");

        var outcome = await ImportJsonAsync(company, file, expectedExit: 2);

        AssertCounts(outcome, 0, 0, 0, 1);
        var (line, message) = Assert.Single(Errors(outcome));
        Assert.Equal(3, line);
        Assert.Contains(reason, message, StringComparison.Ordinal);
        Assert.Empty(await ContactsAsync(company));
    }

    [SkippableTheory]
    [InlineData("csv")]
    [InlineData("jsonl")]
    public async Task InvalidUtf8BytesAreRejectedWithTheirLineNumber(string format)
    {
        var company = await CompanyAsync();
        var before = format == "csv" ? $"{Header}\n,Good,,good@example.com,,,,,,\n,Caf" : "{\"first_name\":\"Good\",\"email\":\"good@example.com\"}\n{\"first_name\":\"Caf";
        var after = format == "csv" ? ",,bad@example.com,,,,,,\n" : "\",\"email\":\"bad@example.com\"}\n";
        var file = Files.WriteBytes("latin1." + format, [.. Utf8.GetBytes(before), 0xE9, .. Utf8.GetBytes(after)]);

        var outcome = await ImportJsonAsync(company, file, expectedExit: 2);

        var (line, reason) = Assert.Single(Errors(outcome));
        Assert.Equal(format == "csv" ? 3 : 2, line);
        Assert.Contains("first_name is not valid UTF-8", reason, StringComparison.Ordinal);
        Assert.Empty(await ContactsAsync(company));
    }

    [SkippableTheory]
    [InlineData("csv")]
    [InlineData("jsonl")]
    public async Task AOneMegabyteFieldIsRejectedWithItsLineNumberAndAShortReason(string format)
    {
        var company = await CompanyAsync();
        var huge = new string('é', 1024 * 1024);
        var file = format == "csv"
            ? Csv("huge.csv", ",Good,,good@example.com,,,,,,", $",{huge},,huge@example.com,,,,,,")
            : Jsonl("huge.jsonl", """{"first_name":"Good","email":"good@example.com"}""", $$"""{"first_name":"{{huge}}","email":"huge@example.com"}""");

        var outcome = await ImportJsonAsync(company, file, expectedExit: 2);

        var (line, reason) = Assert.Single(Errors(outcome));
        Assert.Equal(format == "csv" ? 3 : 2, line);
        Assert.Contains("first_name is longer than 200 characters", reason, StringComparison.Ordinal);
        Assert.True(reason.Length < 200, reason);
        Assert.Empty(await ContactsAsync(company));
    }

    [SkippableTheory]
    [InlineData("contacts.ndjson")]
    [InlineData("CONTACTS.JSONL")]
    [InlineData("Contacts.CSV")]
    public async Task ExtensionsAreChosenIgnoringCaseAndNdjsonIsJsonLines(string name)
    {
        var company = await CompanyAsync();
        var content = name.EndsWith("CSV", StringComparison.Ordinal) ? $"{Header}\n,A,,a@example.com,,,,,,\n" : """{"first_name":"A","email":"a@example.com"}""" + "\n";
        var file = Files.Write(name, content);

        var outcome = await ImportJsonAsync(company, file);

        AssertCounts(outcome, 1, 0, 0, 0);
    }

    [SkippableFact]
    public async Task JsonLinesInTheApisOwnContactShapeImportBackUnchanged()
    {
        var company = await CompanyAsync();
        var key = await KeyQueries.CreateAsync(Db, company, "export");
        await ImportJsonAsync(company, Csv("seed.csv",
            ",Jane,Doe,jane@example.com,1234567890,12345@lid,https://cdn.example.com/jane.jpg,2025-08-01T10:00:00.000Z,2025-09-15T08:30:00.000Z,VIP;Lead",
            ",José,Álvarez,,+34 600 000 000,,,2025-08-02T10:00:00.000Z,,",
            ",李,小龙,li@example.com,,,,2025-08-03T10:00:00.000Z,,VIP"));
        await ImportJsonAsync(company, Jsonl("colors.jsonl", """{"email":"jane@example.com","first_name":"Jane","last_name":"Doe","phone_number":"1234567890","phone_number_lid":"12345@lid","profile_picture":"https://cdn.example.com/jane.jpg","created_at":"2025-08-01T10:00:00.000Z","updated_at":"2025-09-15T08:30:00.000Z","tags":[{"name":"VIP","color":"#1156d6"},"Lead"]}"""));
        var before = await Db.DumpCompanyAsync(company);
        using var client = App.ClientWithKey(key.Key);
        using var page = JsonDocument.Parse(await client.GetStringAsync("/api/v1/contacts?limit=100"));
        var exported = page.RootElement.GetProperty("data").EnumerateArray().Select(c => c.GetRawText()).ToArray();
        Assert.Equal(3, exported.Length);

        var outcome = await ImportJsonAsync(company, Jsonl("export.jsonl", exported));

        AssertCounts(outcome, inserted: 0, updated: 0, unchanged: 3, rejected: 0);
        Assert.Equal(before, await Db.DumpCompanyAsync(company));
    }
}

public sealed class SqliteImportFileFormatTests(SqliteCliFixture fixture) : ImportFileFormatTests(fixture), IClassFixture<SqliteCliFixture>;

public sealed class PostgresImportFileFormatTests(PostgresCliFixture fixture) : ImportFileFormatTests(fixture), IClassFixture<PostgresCliFixture>;
