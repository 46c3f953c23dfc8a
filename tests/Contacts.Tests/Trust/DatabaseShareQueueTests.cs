using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using Contacts.Data;
using Contacts.Data.Keys;
using Contacts.Fairness;
using Contacts.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static Contacts.Tests.Api.ContractAssert;

namespace Contacts.Tests.Trust;

/// <summary>
/// The database share's turns, queue and bounds, with one request of a company held deterministically: it reads
/// contacts while a transaction holds an exclusive lock on the table, so it keeps its turn until the test lets it go.
/// Without the share every request below would reach the database and wait behind the lock, and fail the test's bound.
/// </summary>
public sealed class DatabaseShareQueueTests(PostgresAppFixture fixture) : IClassFixture<PostgresAppFixture>
{
    private const string ContactsPage = "/api/v1/contacts?page=1&limit=10";
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [SkippableFact]
    public async Task TwoKeysOfOneCompanyShareItsTurnsAndItsQueue()
    {
        await using var held = await HoldOneRequestAsync(
            "--DatabaseShare:ConcurrentRequestsPerCompany=1", "--DatabaseShare:QueuedRequestsPerCompany=0");

        using (var second = await held.SecondKey.GetAsync(new Uri(ContactsPage, UriKind.Relative)).WaitAsync(Bound))
        {
            var problem = await ProblemAsync(second, HttpStatusCode.TooManyRequests);
            Assert.Contains("DatabaseShare:QueuedRequestsPerCompany", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
            Assert.Equal(TimeSpan.FromSeconds(5), second.Headers.RetryAfter?.Delta);
        }
        // Another company has its own share: its tags are served while this company's turn is held.
        using (var other = await held.OtherCompany.GetAsync(new Uri("/api/v1/contacts/tags", UriKind.Relative)).WaitAsync(Bound))
            Assert.Equal(HttpStatusCode.OK, other.StatusCode);

        await held.ReleaseAsync();
        using var again = await held.SecondKey.GetAsync(new Uri(ContactsPage, UriKind.Relative)).WaitAsync(Bound);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);

        using var metrics = await held.App.Client.GetAsync(new Uri("/metrics", UriKind.Relative));
        var scrape = await metrics.Content.ReadAsStringAsync();
        Assert.Matches("contacts_database_share_wait_seconds_count\\{[^}]*outcome=\"queue_full\"[^}]*\\} 1", scrape);
        Assert.Matches("contacts_database_share_wait_seconds_count\\{[^}]*outcome=\"admitted\"", scrape);
        Assert.Contains("contacts_database_share_queued", scrape, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task ARequestPastItsCompanysShareWaitsOutsideTheDatabaseAndIsServedInTurn()
    {
        await using var held = await HoldOneRequestAsync("--DatabaseShare:ConcurrentRequestsPerCompany=1");
        var share = held.App.Services.GetRequiredService<DatabaseShare>();

        var second = held.SecondKey.GetAsync(new Uri(ContactsPage, UriKind.Relative));
        await WaitUntilAsync(() => share.Queued == 1, "the second request never queued");
        // It waits in the share, not in the database: only the held request waits for the lock.
        Assert.Equal(1, await LockWaitersAsync(fixture.Database.Db));
        Assert.False(second.IsCompleted);

        await held.ReleaseAsync();
        using var queued = await second.WaitAsync(Bound);
        Assert.Equal(HttpStatusCode.OK, queued.StatusCode);
    }

    [SkippableFact]
    public async Task ARequestHeldByItsOwnCompanysWorkWaitsNoLongerThanTheBoundThen429()
    {
        await using var held = await HoldOneRequestAsync("--DatabaseShare:ConcurrentRequestsPerCompany=1", "--DatabaseShare:MaxQueueSeconds=2");

        var started = Stopwatch.GetTimestamp();
        using var second = await held.SecondKey.GetAsync(new Uri(ContactsPage, UriKind.Relative)).WaitAsync(Bound);
        var waited = Stopwatch.GetElapsedTime(started);

        var problem = await ProblemAsync(second, HttpStatusCode.TooManyRequests);
        Assert.Contains("DatabaseShare:MaxQueueSeconds", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(TimeSpan.FromSeconds(2), second.Headers.RetryAfter?.Delta);
        // The key's token bucket is full again within 1 s, but beside Retry-After RateLimit-Reset names the same moment.
        Assert.Equal("2", string.Join(",", second.Headers.GetValues("RateLimit-Reset")));
        Assert.InRange(waited, TimeSpan.FromSeconds(1.9), TimeSpan.FromSeconds(6));
        Assert.Equal(0, held.App.Services.GetRequiredService<DatabaseShare>().Queued);
    }

    [SkippableFact]
    public async Task ARequestHeldByOtherCompaniesWorkWaitsNoLongerThanTheBoundThen503()
    {
        await using var held = await HoldOneRequestAsync(
            "--DatabaseShare:ConcurrentRequests=1", "--DatabaseShare:MaxQueueSeconds=1");

        var started = Stopwatch.GetTimestamp();
        using var other = await held.OtherCompany.GetAsync(new Uri("/api/v1/contacts/tags", UriKind.Relative)).WaitAsync(Bound);
        var waited = Stopwatch.GetElapsedTime(started);

        var problem = await ProblemAsync(other, HttpStatusCode.ServiceUnavailable);
        Assert.Contains("other companies", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(TimeSpan.FromSeconds(1), other.Headers.RetryAfter?.Delta);
        Assert.InRange(waited, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(5));
    }

    [SkippableFact]
    public async Task TurnedOffTheRequestsGoStraightToTheDatabase()
    {
        await using var held = await HoldOneRequestAsync("--DatabaseShare:Enabled=false", "--DatabaseShare:ConcurrentRequestsPerCompany=1");

        var second = held.SecondKey.GetAsync(new Uri(ContactsPage, UriKind.Relative));
        await WaitUntilAsync(async () => await LockWaitersAsync(fixture.Database.Db) == 2, "the second request never reached the lock");

        await held.ReleaseAsync();
        using var served = await second.WaitAsync(Bound);
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
    }

    /// <summary>A service with these settings, a company with two keys whose first request is stuck behind a lock on contact, and another company.</summary>
    private async Task<HeldRequest> HoldOneRequestAsync(params string[] settings)
    {
        var app = await TestApp.StartAsync(fixture.Database, settings);
        var company = await fixture.Data.CompanyAsync();
        var secondKey = await KeyQueries.CreateAsync(fixture.Database.Db, company.Id, "second job");
        var otherCompany = await fixture.Data.CompanyAsync();
        await fixture.Data.ContactAsync(company.Id, "Ann", "Lee");
        var first = app.ClientWithKey(company.Key);
        var second = app.ClientWithKey(secondKey.Key);
        var other = app.ClientWithKey(otherCompany.Key);
        // Keys cached before the table is locked (a key's lookup reads no contact, but this keeps the first request's path plain).
        foreach (var client in new[] { first, second, other })
            (await client.GetAsync(new Uri("/api/v1/contacts/tags", UriKind.Relative))).Dispose();

        var db = fixture.Database.Db;
        var locker = await db.Dialect.OpenAsOwnerAsync(default);
        var transaction = await locker.BeginTransactionAsync();
        await using (var lockTable = db.Command(locker, "LOCK TABLE contact IN ACCESS EXCLUSIVE MODE", transaction))
            await lockTable.ExecuteNonQueryAsync();
        var held = first.GetAsync(new Uri(ContactsPage, UriKind.Relative));
        await WaitUntilAsync(async () => await LockWaitersAsync(db) == 1, "the first request never waited for the lock");
        return new HeldRequest(app, first, second, other, locker, transaction, held);
    }

    private sealed record HeldRequest(TestApp App, HttpClient FirstKey, HttpClient SecondKey, HttpClient OtherCompany,
        DbConnection Locker, DbTransaction Lock, Task<HttpResponseMessage> Held) : IAsyncDisposable
    {
        /// <summary>Lets the held request go; it is then served.</summary>
        public async Task ReleaseAsync()
        {
            await Lock.RollbackAsync();
            using var served = await Held.WaitAsync(Bound);
            Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        }

        public async ValueTask DisposeAsync()
        {
            await Lock.DisposeAsync();
            await Locker.DisposeAsync();
            FirstKey.Dispose();
            SecondKey.Dispose();
            OtherCompany.Dispose();
            await App.DisposeAsync();
        }
    }

    private static async Task<long> LockWaitersAsync(ContactsDatabase db)
    {
        await using var connection = await db.Dialect.OpenAsOwnerAsync(default);
        await using var command = db.Command(connection,
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()");
        return Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }

    private static Task WaitUntilAsync(Func<bool> condition, string failure) => WaitUntilAsync(() => Task.FromResult(condition()), failure);

    /// <summary>Polls a state the test cannot be told about (a server's lock table, a queue's length) until it holds.</summary>
    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string failure)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(Bound.TotalSeconds * Stopwatch.Frequency);
        while (!await condition())
        {
            if (Stopwatch.GetTimestamp() > deadline) throw new TimeoutException(failure);
            await Task.Delay(20);
        }
    }
}
