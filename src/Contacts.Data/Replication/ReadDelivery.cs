namespace Contacts.Data.Replication;

/// <summary>
/// What a read retried on another node hands its caller, from one attempt only. A read given up on a silent standby
/// (<see cref="ReadRouting"/>) is not waited for: it may wake up later and read rows. Each attempt takes a number when it
/// starts; <see cref="CanRetry"/> (the retry's decision) moves the number on, so the abandoned attempt's rows are
/// refused, and refuses to retry once any row reached the caller. One lock: a row is either handed over before the
/// decision (no retry) or refused after it.
/// </summary>
internal sealed class ReadDelivery
{
    private readonly Lock _lock = new();
    private int _attempt;
    private bool _delivered;

    public int Start()
    {
        lock (_lock) return _attempt;
    }

    public bool CanRetry()
    {
        lock (_lock)
        {
            if (_delivered) return false;
            _attempt++;
            return true;
        }
    }

    /// <summary>Hands a row of <paramref name="attempt"/> to <paramref name="deliver"/>; throws when that attempt was given up.</summary>
    public TResult Hand<TArg, TResult>(int attempt, Func<TArg, TResult> deliver, TArg arg)
    {
        lock (_lock)
        {
            if (attempt != _attempt) throw new OperationCanceledException("This read was given up and retried on another node.");
            _delivered = true;
            return deliver(arg);
        }
    }
}
