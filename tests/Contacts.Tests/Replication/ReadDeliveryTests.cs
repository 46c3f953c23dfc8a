using Contacts.Data.Replication;

namespace Contacts.Tests.Replication;

/// <summary>
/// A read given up on a silent standby is not waited for (ReadRouting): what it reads if the standby wakes up must never
/// reach the caller, whose page the retry on another node fills; and once a row has reached the caller, no retry.
/// </summary>
public sealed class ReadDeliveryTests
{
    [Fact]
    public void RowsOfAnAttemptGivenUpAreRefusedAndTheRetrysRowsArrive()
    {
        var delivery = new ReadDelivery();
        var rows = new List<string>();
        var abandoned = delivery.Start();

        Assert.True(delivery.CanRetry());
        var retry = delivery.Start();
        Assert.Equal(1, delivery.Hand(retry, row => { rows.Add(row); return 1; }, "from the primary"));
        Assert.Throws<OperationCanceledException>(() => delivery.Hand(abandoned, row => { rows.Add(row); return 1; }, "from the standby, late"));

        Assert.Equal(["from the primary"], rows);
    }

    [Fact]
    public void AReadThatHandedOverARowIsNotRetried()
    {
        var delivery = new ReadDelivery();
        var attempt = delivery.Start();
        delivery.Hand(attempt, _ => 0, "a row");

        Assert.False(delivery.CanRetry());
        Assert.Equal(0, delivery.Hand(attempt, _ => 0, "the next row of the same attempt"));
    }
}
