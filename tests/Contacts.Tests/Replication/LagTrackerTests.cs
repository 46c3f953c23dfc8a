using Contacts.Data.Replication;

namespace Contacts.Tests.Replication;

/// <summary>A standby's lag in time, from the primary's sampled WAL positions (what Database:MaxReplicaLagSeconds is compared with).</summary>
public sealed class LagTrackerTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void AStandbyThatReplayedTheLatestPositionIsNotBehindHoweverLongThePrimaryWasIdle()
    {
        var tracker = new LagTracker(TimeSpan.FromSeconds(22));
        for (var s = 0; s <= 60; s++) tracker.RecordPrimary(T0.AddSeconds(s), 1000);

        Assert.Equal(TimeSpan.Zero, tracker.Lag(T0.AddSeconds(60), 1000));
    }

    [Fact]
    public void AStandbyIsBehindByTheAgeOfTheNewestPositionItReplayed()
    {
        var tracker = new LagTracker(TimeSpan.FromSeconds(22));
        tracker.RecordPrimary(T0, 1000);
        tracker.RecordPrimary(T0.AddSeconds(1), 2000);
        tracker.RecordPrimary(T0.AddSeconds(2), 3000);
        tracker.RecordPrimary(T0.AddSeconds(3), 3000);

        // It has 2000 (written by T0+1) but not all of 3000: what it serves may be as old as T0+1.
        Assert.Equal(TimeSpan.FromSeconds(4), tracker.Lag(T0.AddSeconds(5), 2500));
        Assert.Equal(TimeSpan.FromSeconds(5), tracker.Lag(T0.AddSeconds(5), 1000));
    }

    [Fact]
    public void AStandbyBehindEverySampleKeptIsBehindAtLeastTheWindow()
    {
        var tracker = new LagTracker(TimeSpan.FromSeconds(10));
        for (var s = 0; s <= 30; s++) tracker.RecordPrimary(T0.AddSeconds(s), 5000 + (ulong)s);

        Assert.True(tracker.Lag(T0.AddSeconds(30), 4000) >= TimeSpan.FromSeconds(10));
    }

    [Fact]
    public void WithoutAnySampleTheLagIsUnknown() =>
        Assert.Null(new LagTracker(TimeSpan.FromSeconds(10)).Lag(T0, 1));
}
