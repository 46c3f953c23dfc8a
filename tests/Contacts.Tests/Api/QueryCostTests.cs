using System.Diagnostics.Metrics;
using Contacts.Data;
using Contacts.Tests.Infrastructure;

namespace Contacts.Tests.Api;

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SequentialCollection
{
    public const string Name = "Sequential (counts process-wide statements)";
}

/// <summary>A request is one command (one round trip: the total, the page and its tags) whatever limit is: no query per contact.</summary>
public abstract class QueryCostTests(AppFixture fixture)
{
    [SkippableFact]
    public async Task ContactsPageIsOneCommandForOneOrAHundredContacts()
    {
        Skip.If(fixture.SkipReason is not null, fixture.SkipReason);
        var company = await fixture.Data.CompanyAsync();
        var tag = await fixture.Data.TagAsync(company.Id, "VIP");
        for (var i = 0; i < 100; i++) await fixture.Data.ContactAsync(company.Id, "Ann", $"Lee{i}", $"ann{i}@x.test", tags: [tag]);
        using var client = fixture.App.ClientWithKey(company.Key);
        await client.GetAsync("/api/v1/contacts"); // warm the key cache

        var one = await CountStatementsAsync(() => client.GetAsync("/api/v1/contacts?limit=1&search=ann"));
        var hundred = await CountStatementsAsync(() => client.GetAsync("/api/v1/contacts?limit=100&search=ann"));
        var tags = await CountStatementsAsync(() => client.GetAsync("/api/v1/contacts/tags?limit=100"));

        var deep = await CountStatementsAsync(() => client.GetAsync("/api/v1/contacts?limit=1&page=99"));

        Assert.Equal(1, one);
        Assert.Equal(1, hundred);
        Assert.Equal(1, tags);
        Assert.Equal(1, deep);
    }

    private static async Task<long> CountStatementsAsync(Func<Task<HttpResponseMessage>> request)
    {
        long count = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter == ContactsDatabase.Meter) l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref count, value));
        listener.Start();
        using var response = await request();
        response.EnsureSuccessStatusCode();
        return Interlocked.Read(ref count);
    }
}

// No background last-used write may land inside a measured request.
public sealed class QuietSqliteAppFixture : SqliteAppFixture
{
    protected override string[] Settings => ["--Auth:LastUsedFlushSeconds=86400"];
}

public sealed class QuietPostgresAppFixture : PostgresAppFixture
{
    protected override string[] Settings => ["--Auth:LastUsedFlushSeconds=86400"];
}

[Collection(SequentialCollection.Name)]
public sealed class SqliteQueryCostTests(QuietSqliteAppFixture fixture) : QueryCostTests(fixture), IClassFixture<QuietSqliteAppFixture>;

[Collection(SequentialCollection.Name)]
public sealed class PostgresQueryCostTests(QuietPostgresAppFixture fixture) : QueryCostTests(fixture), IClassFixture<QuietPostgresAppFixture>;
