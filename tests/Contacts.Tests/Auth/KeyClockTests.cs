using System.Net;
using System.Text;
using Contacts.Data;
using Contacts.Tests.Infrastructure;
using Contacts.Tests.Trust;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Contacts.Tests.Auth;

/// <summary>
/// The key cache and the last-used flush run on the service's TimeProvider: these tests move a fake clock instead of
/// waiting on the real one. Each starts its own service (its own cache and clock) over the class's database.
/// </summary>
public abstract class KeyClockTests(AppFixture fixture)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);
    // Whole seconds: last_used_at reads back equal on both databases (SQLite keeps milliseconds, PostgreSQL microseconds).
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 3, 4, 5, 6, 7, TimeSpan.Zero));

    private AppFixture Fixture
    {
        get
        {
            Skip.If(fixture.SkipReason is not null, fixture.SkipReason);
            return fixture;
        }
    }

    private Task<TestApp> StartAsync(params string[] settings) =>
        TestApp.StartAsync(Fixture.Database, builder => builder.Services.AddSingleton<TimeProvider>(_clock), settings);

    [SkippableFact]
    public async Task RevokedKeyIsRefusedOnceAuthCacheSecondsHavePassed()
    {
        var company = await Fixture.Data.CompanyAsync();
        await using var app = await StartAsync("--Auth:CacheSeconds=10");
        using var client = app.ClientWithKey(company.Key);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/contacts")).StatusCode);

        Assert.True(await KeyQueries.RevokeAsync(Fixture.Database.Db, KeyId(company.Key)));
        _clock.Advance(TimeSpan.FromSeconds(9.9));
        // Still trusted from the cache: the clock that moved is the one the cache reads.
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/contacts")).StatusCode);

        _clock.Advance(TimeSpan.FromSeconds(0.1));
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/v1/contacts")).StatusCode);
    }

    [SkippableFact]
    public async Task LastUsedAtIsWrittenByTheFlushAtTheClocksTime()
    {
        var company = await Fixture.Data.CompanyAsync();
        await using var app = await StartAsync("--Auth:LastUsedFlushSeconds=60");
        using var client = app.ClientWithKey(company.Key);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/contacts")).StatusCode);
        Assert.Null(await LastUsedAsync(company));

        _clock.Advance(TimeSpan.FromSeconds(60));
        var flushedAt = _clock.GetUtcNow().UtcDateTime;

        var deadline = DateTime.UtcNow + Bound;
        while (await LastUsedAsync(company) is null)
        {
            Assert.True(DateTime.UtcNow < deadline, $"last_used_at not written within {Bound.TotalSeconds} s of the flush period passing");
            await Task.Delay(50);
        }
        Assert.Equal(flushedAt, await LastUsedAsync(company));
    }

    [SkippableFact]
    public async Task LastUsedAtIsWrittenWhenTheServiceStops()
    {
        var company = await Fixture.Data.CompanyAsync();
        var app = await StartAsync("--Auth:LastUsedFlushSeconds=86400");
        await using (app)
        {
            using var client = app.ClientWithKey(company.Key);
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/contacts")).StatusCode);
            _clock.Advance(TimeSpan.FromSeconds(30));
            Assert.Null(await LastUsedAsync(company));
        }

        Assert.Equal(_clock.GetUtcNow().UtcDateTime, await LastUsedAsync(company));
    }

    [SkippableFact]
    public async Task TwoAuthorizationHeadersAreRefusedEvenWhenBothCarryTheValidKey()
    {
        var company = await Fixture.Data.CompanyAsync();
        var header = Encoding.ASCII.GetBytes("Authorization: Bearer " + company.Key);

        var once = await RawHttp.SendAsync(Fixture.App.Address, RawHttp.Request("GET", "/api/v1/contacts"u8.ToArray(), [header]), Bound);
        var twice = await RawHttp.SendAsync(Fixture.App.Address, RawHttp.Request("GET", "/api/v1/contacts"u8.ToArray(), [header, header]), Bound);

        Assert.Equal(200, once.Status);
        Assert.Equal(401, twice.Status);
        // RFC 6750 3.1: a request that repeats the credentials is malformed (invalid_request), and the detail says so.
        Assert.Equal("Bearer error=\"invalid_request\"", twice.Header("WWW-Authenticate"));
        Assert.Contains("\"detail\":\"More than one Authorization header: send one, Authorization: Bearer <API_KEY>.\"", twice.Body, StringComparison.Ordinal);
    }

    private static string KeyId(string key) => ApiKeys.TryParse(key, out var id) ? id : throw new InvalidOperationException("not a key");

    private async Task<DateTime?> LastUsedAsync(TestCompany company) =>
        (await KeyQueries.ListAsync(Fixture.Database.Db, company.Id)).Single(k => k.Id == KeyId(company.Key)).LastUsedAt;
}

public sealed class SqliteKeyClockTests(SqliteAppFixture fixture) : KeyClockTests(fixture), IClassFixture<SqliteAppFixture>;

public sealed class PostgresKeyClockTests(PostgresAppFixture fixture) : KeyClockTests(fixture), IClassFixture<PostgresAppFixture>;
