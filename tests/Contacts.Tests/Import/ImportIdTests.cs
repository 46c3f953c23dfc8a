using System.Globalization;
using Contacts.Data;
using Contacts.Tests.Cli;
using Contacts.Tests.Infrastructure;

namespace Contacts.Tests.Import;

/// <summary>Ids given by a file and ids the database assigns never collide, and new rows keep getting higher ids (stable paging).</summary>
public abstract class ImportIdTests
{
    protected abstract Task<TestDatabase?> FreshDatabaseAsync();

    [SkippableFact]
    public async Task GeneratedIdsStartAtOneAndClimbAboveExplicitIdsForImportsAndOtherWriters()
    {
        await using var database = await FreshDatabaseAsync();
        Ci.SkipIf(database is null, "PostgreSQL is unavailable");
        using var files = new TempFolder();
        var company = (await CompanyQueries.CreateAsync(database.Db, "Ids")).Id.ToString(CultureInfo.InvariantCulture);

        await CliRunner.OkAsync(database, "import", "--company", company,
            files.Write("a.csv", "id,email\n,a@x.test\n,b@x.test\n,c@x.test\n"));
        await CliRunner.OkAsync(database, "import", "--company", company,
            files.Write("b.csv", "id,email\n100,d@x.test\n,e@x.test\n"));
        var byPlainSql = await new TestData(database).ContactAsync(long.Parse(company, CultureInfo.InvariantCulture), email: "f@x.test");

        Assert.Equal([1L, 2, 3, 100, 101], await IdsAsync(database));
        Assert.Equal(102, byPlainSql);
    }

    /// <summary>The file is read once: an explicit id after thousands of rows without one still keeps generated ids clear of it.</summary>
    [SkippableFact]
    public async Task AnExplicitIdLateInTheFileStaysBelowTheIdsGeneratedAfterIt()
    {
        await using var database = await FreshDatabaseAsync();
        Skip.If(database is null, "PostgreSQL is unavailable");
        using var files = new TempFolder();
        var company = (await CompanyQueries.CreateAsync(database.Db, "Late ids")).Id.ToString(CultureInfo.InvariantCulture);
        var rows = Enumerable.Range(1, 2000).Select(i => $",early{i}@x.test").Append("3000,explicit@x.test").Append(",late@x.test");

        await CliRunner.OkAsync(database, "import", "--company", company, files.Write("late.csv", string.Join("\n", ["id,email", .. rows]) + "\n"));
        var byPlainSql = await new TestData(database).ContactAsync(long.Parse(company, CultureInfo.InvariantCulture), email: "f@x.test");

        Assert.Equal([.. Enumerable.Range(1, 2000).Select(i => (long)i), 3000L, 3001], await IdsAsync(database));
        Assert.Equal(3002, byPlainSql);
    }

    /// <summary>A later row naming an id this import generated for an earlier row is refused, not merged into that row's contact.</summary>
    [SkippableFact]
    public async Task AnExplicitIdEqualToAnIdGeneratedEarlierInTheFileIsRejected()
    {
        await using var database = await FreshDatabaseAsync();
        Skip.If(database is null, "PostgreSQL is unavailable");
        using var files = new TempFolder();
        var company = (await CompanyQueries.CreateAsync(database.Db, "Clash")).Id.ToString(CultureInfo.InvariantCulture);
        var rows = Enumerable.Range(1, 2001).Select(i => $",gen{i}@x.test").Append("5,clash@x.test");
        var file = files.Write("clash.csv", string.Join("\n", ["id,email", .. rows]) + "\n");

        var refused = await CliRunner.RunAsync(database, "import", "--company", company, file);
        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("clash.csv:2003: matches the same contact as line 6", refused.Stderr, StringComparison.Ordinal);
        Assert.Empty(await IdsAsync(database));
    }

    private static async Task<List<long>> IdsAsync(TestDatabase database)
    {
        await using var connection = await database.Db.OpenAsync();
        await using var command = database.Db.Command(connection, "SELECT id FROM contact WHERE email <> 'f@x.test' ORDER BY id");
        await using var reader = await command.ExecuteReaderAsync();
        var ids = new List<long>();
        while (await reader.ReadAsync()) ids.Add(reader.GetInt64(0));
        return ids;
    }
}

public sealed class SqliteImportIdTests : ImportIdTests
{
    protected override async Task<TestDatabase?> FreshDatabaseAsync() => await TestDatabase.SqliteAsync();
}

public sealed class PostgresImportIdTests : ImportIdTests
{
    protected override async Task<TestDatabase?> FreshDatabaseAsync()
    {
        var server = await PostgresServer.SharedAsync();
        return server.UnavailableReason is null ? await TestDatabase.PostgresAsync(server) : null;
    }
}
