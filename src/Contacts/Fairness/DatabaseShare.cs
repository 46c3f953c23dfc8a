using System.Diagnostics.Metrics;
using Contacts.Data;
using Microsoft.Extensions.Options;

namespace Contacts.Fairness;

/// <summary>
/// Shares the API's database work fairly between companies: at most <see cref="Total"/> requests at once (one per
/// connection), at most <see cref="PerCompany"/> of them from a company that is alone at work, that share divided
/// between the companies at work when there are several (at least 1 each, <see cref="ShareOf"/>), and the rest waiting
/// in one queue per company, served round-robin across companies, for at most <see cref="MaxWait"/>. A company's backlog therefore waits
/// in its own queue: another company's first request waits for no more than one request per busy company ahead of it,
/// and not at all while fewer than <see cref="Total"/> requests run. docs/reliability.md#a-fair-share-of-the-database.
/// </summary>
public sealed class DatabaseShare
{
    public const string MeterName = "Contacts.DatabaseShare";

    private readonly Lock _lock = new();
    private readonly Dictionary<long, Tenant> _tenants = [];
    // Companies with requests waiting, in the order they are next served.
    private readonly LinkedList<Tenant> _turns = new();
    private readonly TimeProvider _clock;
    private readonly Histogram<double> _waits;
    private int _running;
    private int _queued;

    public DatabaseShare(IOptions<DatabaseShareOptions> options, IOptions<DatabaseOptions> databaseOptions, TimeProvider clock, IMeterFactory meters)
    {
        var settings = options.Value;
        var database = databaseOptions.Value;
        var connections = database.MaxPoolSize * (1 + database.Replicas.ConnectionStrings.Count);
        Total = settings.ConcurrentRequests ?? connections;
        PerCompany = Math.Min(Total, settings.ConcurrentRequestsPerCompany ?? Math.Max(1, Total / 2));
        QueuePerCompany = settings.QueuedRequestsPerCompany;
        MaxWait = TimeSpan.FromSeconds(settings.MaxQueueSeconds);
        _clock = clock;

        // From this host's factory (disposed with it), as FeedFreshness. No company label: companies are unbounded.
        var meter = meters.Create(MeterName);
        _waits = meter.CreateHistogram<double>("contacts.database_share.wait", unit: "s",
            description: "Time a request waited for its company's turn at the database, by outcome (admitted, queue_full, company_busy, server_busy, canceled)",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] });
        meter.CreateObservableUpDownCounter("contacts.database_share.queued", () => Volatile.Read(ref _queued),
            description: "Requests waiting for their company's turn at the database");
        meter.CreateObservableUpDownCounter("contacts.database_share.running", () => Volatile.Read(ref _running),
            description: "Requests doing database work");
    }

    public int Total { get; }
    public int PerCompany { get; }
    public int QueuePerCompany { get; }
    public TimeSpan MaxWait { get; }

    /// <summary>Requests waiting for their turn now, all companies together.</summary>
    public int Queued => Volatile.Read(ref _queued);

    /// <summary>A turn for one request of the company: dispose the slot when its database work is done.</summary>
    public async ValueTask<Entry> EnterAsync(long company, CancellationToken ct)
    {
        var started = _clock.GetTimestamp();
        Waiter waiter;
        lock (_lock)
        {
            var tenant = _tenants.TryGetValue(company, out var known) ? known : _tenants[company] = new Tenant(company);
            // Whenever fewer than Total run, every waiting company is at its own limit (Dispatch runs on every change),
            // so a company with nothing waiting and room in its share may go ahead of them.
            if (tenant.Waiters.Count == 0 && tenant.Running < ShareOf() && _running < Total)
            {
                Admit(tenant);
                return Admitted(tenant, started);
            }
            if (tenant.Waiters.Count >= QueuePerCompany)
            {
                Forget(tenant);
                return Refused(Outcome.QueueFull, started);
            }
            waiter = new Waiter(tenant);
            waiter.Node = tenant.Waiters.AddLast(waiter);
            _queued++;
            if (tenant.Turn is null) tenant.Turn = _turns.AddLast(tenant);
        }

        try
        {
            await waiter.Admitted.Task.WaitAsync(MaxWait, _clock, ct);
            return Admitted(waiter.Tenant, started);
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException)
        {
            bool admittedMeanwhile, companyBusy = false;
            lock (_lock)
            {
                admittedMeanwhile = waiter.Node.List is null;
                if (!admittedMeanwhile)
                {
                    Withdraw(waiter);
                    companyBusy = waiter.Tenant.Running >= ShareOf();
                    Forget(waiter.Tenant);
                }
            }
            // Admitted at the last moment: at the bound the slot is the request's; canceled, it is given back.
            if (admittedMeanwhile)
            {
                if (e is TimeoutException) return Admitted(waiter.Tenant, started);
                Leave(waiter.Tenant);
                throw;
            }
            if (e is OperationCanceledException)
            {
                Record(Outcome.Canceled, started);
                throw;
            }
            return Refused(companyBusy ? Outcome.CompanyBusy : Outcome.ServerBusy, started);
        }
    }

    private Entry Admitted(Tenant tenant, long started)
    {
        Record(Outcome.Admitted, started);
        return new Entry(Outcome.Admitted, new Slot(this, tenant));
    }

    private Entry Refused(Outcome outcome, long started)
    {
        Record(outcome, started);
        return new Entry(outcome, null);
    }

    private void Record(Outcome outcome, long started) =>
        _waits.Record(_clock.GetElapsedTime(started).TotalSeconds, new KeyValuePair<string, object?>("outcome", outcome switch
        {
            Outcome.Admitted => "admitted",
            Outcome.QueueFull => "queue_full",
            Outcome.CompanyBusy => "company_busy",
            Outcome.ServerBusy => "server_busy",
            _ => "canceled",
        }));

    private void Admit(Tenant tenant)
    {
        tenant.Running++;
        _running++;
    }

    private void Leave(Tenant tenant)
    {
        lock (_lock)
        {
            tenant.Running--;
            _running--;
            // The company that has just had a turn goes behind those waiting for theirs.
            if (tenant.Turn is { } turn)
            {
                _turns.Remove(turn);
                _turns.AddLast(turn);
            }
            // Forgotten first: a company with nothing left to do no longer divides the others' share.
            Forget(tenant);
            Dispatch();
        }
    }

    /// <summary>
    /// The turns one company may hold now: <see cref="PerCompany"/> while it is the only company at work (running or
    /// waiting), divided between the companies at work otherwise, at least 1. A lone company keeps its throughput; beside
    /// others, a flood of heavy requests holds one statement (one core) instead of two, which is what the other companies'
    /// latency depends on (docs/reliability.md#a-fair-share-of-the-database). Requests already running are never stopped:
    /// a company above its share gets no new turn until it is under it again.
    /// </summary>
    private int ShareOf() => Math.Max(1, PerCompany / Math.Max(1, _tenants.Count));

    /// <summary>Hands free slots to waiting companies in turn: each company's oldest request, then the next company's.</summary>
    private void Dispatch()
    {
        var atTheirLimit = 0;
        while (_running < Total && _turns.First is { } turn && atTheirLimit < _turns.Count)
        {
            var tenant = turn.Value;
            _turns.RemoveFirst();
            _turns.AddLast(turn);
            if (tenant.Running >= ShareOf())
            {
                atTheirLimit++;
                continue;
            }
            var waiter = tenant.Waiters.First!.Value;
            Withdraw(waiter);
            Admit(tenant);
            waiter.Admitted.TrySetResult();
        }
    }

    private void Withdraw(Waiter waiter)
    {
        var tenant = waiter.Tenant;
        tenant.Waiters.Remove(waiter.Node);
        _queued--;
        if (tenant.Waiters.Count == 0 && tenant.Turn is { } turn)
        {
            _turns.Remove(turn);
            tenant.Turn = null;
        }
    }

    private void Forget(Tenant tenant)
    {
        if (tenant.Running == 0 && tenant.Waiters.Count == 0) _tenants.Remove(tenant.Company);
    }

    public enum Outcome { Admitted, QueueFull, CompanyBusy, ServerBusy, Canceled }

    /// <summary>What <see cref="EnterAsync"/> gave: a slot to dispose when the work is done, or the reason there is none.</summary>
    public readonly record struct Entry(Outcome Outcome, IDisposable? Slot);

    private sealed class Tenant(long company)
    {
        public long Company { get; } = company;
        public int Running { get; set; }
        public LinkedList<Waiter> Waiters { get; } = new();
        public LinkedListNode<Tenant>? Turn { get; set; }
    }

    private sealed class Waiter(Tenant tenant)
    {
        public Tenant Tenant { get; } = tenant;
        public TaskCompletionSource Admitted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public LinkedListNode<Waiter> Node { get; set; } = null!;
    }

    private sealed class Slot(DatabaseShare share, Tenant tenant) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0) share.Leave(tenant);
        }
    }
}
