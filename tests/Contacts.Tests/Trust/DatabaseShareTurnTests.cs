using Contacts.Data;
using Contacts.Fairness;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Contacts.Tests.Trust;

/// <summary>The order in which the database share hands out turns: round-robin across companies, oldest first within one.</summary>
public sealed class DatabaseShareTurnTests : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();

    private DatabaseShare Share(int total, int perCompany) => new(
        Options.Create(new DatabaseShareOptions { ConcurrentRequests = total, ConcurrentRequestsPerCompany = perCompany, MaxQueueSeconds = 600 }),
        Options.Create(new DatabaseOptions()), TimeProvider.System, _services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>());

    [Fact]
    public async Task ACompanysBacklogNeverDelaysAnotherCompanysFirstRequestByMoreThanOneTurn()
    {
        var share = Share(total: 1, perCompany: 1);
        var running = await share.EnterAsync(1, default);
        var backlog = Enumerable.Range(0, 5).Select(_ => share.EnterAsync(1, default).AsTask()).ToList();
        var other = share.EnterAsync(2, default).AsTask();
        Assert.Equal(6, share.Queued);

        running.Slot!.Dispose();
        // Company 1 had its turn; company 2's first request is next, ahead of company 1's five waiting ones.
        var next = await other.WaitAsync(Bound);
        Assert.Equal(DatabaseShare.Outcome.Admitted, next.Outcome);
        Assert.All(backlog, waiting => Assert.False(waiting.IsCompleted));

        next.Slot!.Dispose();
        var oldest = await backlog[0].WaitAsync(Bound);
        Assert.All(backlog.Skip(1), waiting => Assert.False(waiting.IsCompleted));
        oldest.Slot!.Dispose();
        foreach (var waiting in backlog.Skip(1)) (await waiting.WaitAsync(Bound)).Slot!.Dispose();
        Assert.Equal(0, share.Queued);
    }

    [Fact]
    public async Task DerivedFromThePoolOneCompanyGetsHalfTheConnectionsAndANewcomerGoesStraightIn()
    {
        var share = new DatabaseShare(Options.Create(new DatabaseShareOptions()),
            Options.Create(new DatabaseOptions { MaxPoolSize = 4, Replicas = new() { ConnectionStrings = ["Host=standby"] } }),
            TimeProvider.System, _services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>());
        Assert.Equal(8, share.Total);
        Assert.Equal(4, share.PerCompany);

        var flood = new List<DatabaseShare.Entry>();
        for (var i = 0; i < 4; i++) flood.Add(await share.EnterAsync(1, default));
        var waiting = share.EnterAsync(1, default).AsTask();
        Assert.False(waiting.IsCompleted);
        var newcomer = share.EnterAsync(2, default);
        Assert.True(newcomer.IsCompleted);
        Assert.Equal(DatabaseShare.Outcome.Admitted, (await newcomer).Outcome);
    }

    [Fact]
    public async Task WhileAnotherCompanyHasWorkACompanysShareIsDividedAndItComesBackWhenTheCompanyIsAlone()
    {
        var share = Share(total: 4, perCompany: 2);
        var first = await share.EnterAsync(1, default);
        var second = await share.EnterAsync(1, default);
        var other = await share.EnterAsync(2, default);
        Assert.Equal(DatabaseShare.Outcome.Admitted, other.Outcome);

        // Company 1 ran its whole share (2) alone; beside company 2 its share is 2 / 2 companies = 1, so a request
        // that waits is not admitted when one of its two running requests ends, though a turn is free ...
        var third = share.EnterAsync(1, default).AsTask();
        first.Slot!.Dispose();
        Assert.Equal(1, share.Queued); // admission is synchronous; the awaiting task completes later

        // ... and is as soon as company 2 has nothing left to do.
        other.Slot!.Dispose();
        var admitted = await third.WaitAsync(Bound);
        Assert.Equal(DatabaseShare.Outcome.Admitted, admitted.Outcome);
        second.Slot!.Dispose();
        admitted.Slot!.Dispose();
        Assert.Equal(0, share.Queued);
    }

    public void Dispose() => _services.Dispose();
}
