using System.Net;
using Contacts.Tests.Api;
using Contacts.Tests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace Contacts.Tests.Trust;

/// <summary>
/// Another process holding the SQLite file locked past the busy timeout (a backup tool, a long write, a sqlite3 shell
/// left in a transaction): the API answers 503 with Retry-After, not 500, and serves again once the file is free.
/// </summary>
[Collection(FaultCollection.Name)]
public sealed class SqliteBusyTests
{
    private const int CommandTimeout = 1;

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task AFileLockedPastTheBusyTimeoutAnswers503WithRetryAfterAndTheServiceServesAgainAfterwards(bool keyCached)
    {
        await using var database = await TestDatabase.SqliteAsync();
        await using var app = await TestApp.StartAsync(database, [$"--Database:CommandTimeoutSeconds={CommandTimeout}", "--Logging:LogLevel:Contacts=Error"]);
        var data = new TestData(database);
        var company = await data.CompanyAsync();
        await data.ContactAsync(company.Id, "Jane", "Doe");
        using var client = app.ClientWithKey(company.Key);
        client.Timeout = TimeSpan.FromSeconds(60);
        // With the key cached the contacts query meets the lock; without, the key lookup before it does.
        if (keyCached) Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri(ContractAssert.ContactsPath, UriKind.Relative))).StatusCode);

        // WAL readers are never blocked by a writer; only a connection in exclusive locking mode keeps them out, and
        // it can take the file only while no other connection has it open: the service's idle pooled connections go first.
        SqliteConnection.ClearAllPools();
        await using (var holder = new SqliteConnection(new SqliteConnectionStringBuilder(database.ConnectionString) { Pooling = false, DefaultTimeout = 30 }.ConnectionString))
        {
            await holder.OpenAsync();
            await using (var take = holder.CreateCommand())
            {
                take.CommandText = "PRAGMA locking_mode = EXCLUSIVE; BEGIN EXCLUSIVE; UPDATE contact SET first_name = first_name WHERE id < 0;";
                await take.ExecuteNonQueryAsync();
            }

            for (var i = 0; i < 3; i++)
            {
                using var held = await client.GetAsync(new Uri(ContractAssert.ContactsPath, UriKind.Relative));
                await ContractAssert.ProblemAsync(held, HttpStatusCode.ServiceUnavailable);
                Assert.NotNull(held.Headers.RetryAfter);
            }
            using var ready = await app.Client.GetAsync(new Uri("/health/ready", UriKind.Relative));
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
            // In WAL mode the exclusive lock lasts as long as the connection: closing it is what frees the file.
        }

        for (var i = 0; i < 5; i++)
        {
            using var after = await client.GetAsync(new Uri(ContractAssert.ContactsPath, UriKind.Relative));
            Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        }
    }
}
