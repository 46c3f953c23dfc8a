using System.Globalization;
using System.Net;
using Contacts.Data;
using Contacts.Tests.Api;
using Contacts.Tests.Cli;
using Contacts.Tests.Infrastructure;

namespace Contacts.Tests.Trust;

/// <summary>
/// An import killed with SIGKILL halfway (the CLI as a child process, after its first progress line) leaves the
/// database as it was, and running it again gives exactly what an uninterrupted import into a fresh database gives.
/// Meanwhile the service keeps answering reads: while the import is frozen (SIGSTOP) in the middle of its write
/// transaction, holding SQLite's write lock, and during the whole rerun.
/// </summary>
[Collection(FaultCollection.Name)]
public abstract class ImportKillTests : IDisposable
{
    // the first progress line comes at 50,000 rows written; 20,000 more rows leave time to freeze it before the commit
    private const int Rows = 70_000;
    private const long FirstId = 7_000_000_000;

    private readonly TempFolder _files = new();

    /// <summary>A fresh migrated database (skips when the provider is not available).</summary>
    protected abstract Task<TestDatabase> NewDatabaseAsync();

    [SkippableFact]
    public async Task ImportKilledHalfwayLeavesNothingReadsGoOnAndARerunEqualsAnUninterruptedImport()
    {
        await using var killed = await NewDatabaseAsync();
        await using var fresh = await NewDatabaseAsync();
        await using var app = await TestApp.StartAsync(killed);
        var file = GeneratedFile.WriteJsonl(Path.Combine(_files.Path, "contacts.jsonl"), seed: 4242, Rows, FirstId);
        var data = new TestData(killed);
        var target = await data.CompanyAsync("Killed import");
        var company = target.Id.ToString(CultureInfo.InvariantCulture);
        var reader = await data.CompanyAsync();
        for (var i = 0; i < 30; i++) await data.ContactAsync(reader.Id, "Reader" + i, "Doe", phone: "555020" + i.ToString("D2", CultureInfo.InvariantCulture));
        var before = await GeneratedFile.CountAllAsync(killed.Db);
        var readerBefore = await GeneratedFile.DumpAsync(killed.Db, reader.Id);
        using var readerClient = app.ClientWithKey(reader.Key);
        using var targetClient = app.ClientWithKey(target.Key);
        var url = ContractAssert.ContactsPath + "?limit=10&search=doe";
        var frozen = new Load();

        await using (var import = ContactsProcess.Start([.. killed.CliOptions, "import", "--company", company, file]))
        {
            Assert.True(await import.WaitForStderrAsync("rows written", TimeSpan.FromSeconds(120)), "no progress line: " + import);
            await import.SignalAsync("STOP");
            Assert.DoesNotContain("Imported", import.Stdout, StringComparison.Ordinal); // frozen before it finished

            // the writer sits in its open transaction: reads of another company go on, and the half import is invisible
            await frozen.RunAsync(readerClient, url, loops: 4, maxPerLoop: 25, pause: TimeSpan.Zero);
            Assert.All(frozen.Shots, s => Assert.Equal(HttpStatusCode.OK, s.Status));
            using (var half = await targetClient.GetAsync(new Uri(ContractAssert.ContactsPath, UriKind.Relative)))
            {
                Assert.Equal(0, (await ContractAssert.JsonAsync(half)).GetProperty("totalRecords").GetInt64());
            }

            await import.SignalAsync("KILL");
            Assert.True(await import.WaitForExitAsync(TimeSpan.FromSeconds(10)), "still running after SIGKILL");
            Assert.DoesNotContain("Imported", import.Stdout, StringComparison.Ordinal);
            Assert.NotEqual(0, import.ExitCode);
        }

        // nothing of the killed import is stored, in any table, for any company
        Assert.Equal(before, await GeneratedFile.CountAllAsync(killed.Db));
        Assert.Equal(readerBefore, await GeneratedFile.DumpAsync(killed.Db, reader.Id));

        // the rerun (reads going on all along) and an uninterrupted import into a fresh database, side by side
        var freshCompany = (await CompanyQueries.CreateAsync(fresh.Db, "Uninterrupted import")).Id.ToString(CultureInfo.InvariantCulture);
        var reads = new Load();
        var reading = reads.RunAsync(readerClient, url, loops: 2, maxPerLoop: 5_000, pause: TimeSpan.FromMilliseconds(10));
        var rerun = CliRunner.RunAsync(killed, "import", "--company", company, file, "--json");
        var uninterrupted = CliRunner.RunAsync(fresh, "import", "--company", freshCompany, file, "--json");
        var rerunResult = await rerun;
        reads.Stop();
        await reading;
        Assert.True(rerunResult.ExitCode == 0, rerunResult.ToString());
        Assert.Equal(Rows, rerunResult.Json().GetProperty("inserted").GetInt32());
        var uninterruptedResult = await uninterrupted;
        Assert.True(uninterruptedResult.ExitCode == 0, uninterruptedResult.ToString());
        Assert.Equal(await GeneratedFile.DumpAsync(fresh.Db, long.Parse(freshCompany, CultureInfo.InvariantCulture)),
            await GeneratedFile.DumpAsync(killed.Db, target.Id));
        Assert.Equal(readerBefore, await GeneratedFile.DumpAsync(killed.Db, reader.Id));
        Assert.NotEmpty(reads.Shots);
        Assert.All(reads.Shots, s => Assert.Equal(HttpStatusCode.OK, s.Status));
        Console.WriteLine($"[faults] {killed.ProviderName} import killed halfway: counts unchanged, rerun = uninterrupted ({Rows:N0} rows); " +
                          $"{frozen.Shots.Count + reads.Shots.Count} reads during the import, all 200");
    }

    public void Dispose()
    {
        _files.Dispose();
        GC.SuppressFinalize(this);
    }
}

public sealed class SqliteImportKillTests : ImportKillTests
{
    protected override async Task<TestDatabase> NewDatabaseAsync() => await TestDatabase.SqliteAsync();
}

public sealed class PostgresImportKillTests : ImportKillTests
{
    protected override async Task<TestDatabase> NewDatabaseAsync()
    {
        var server = await PostgresServer.SharedAsync();
        Ci.SkipIf(server.UnavailableReason is not null, server.UnavailableReason);
        return await TestDatabase.PostgresAsync(server);
    }
}
