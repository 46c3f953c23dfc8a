namespace Contacts.Data.Changes;

/// <summary>
/// Where a change feed client is, in plain numbers (the API encodes it as the cursor). Walk: the first pass over the
/// live contacts (ids after ContactId), whose changes after position Seq follow. Log: every change up to (Seq,
/// ContactId) has been sent.
/// </summary>
/// <param name="WalPosition">PostgreSQL: the WAL position (LSN) the answering node had replayed (or written) when it read
/// the page; the next read goes to a node that has replayed it (docs/scale-out.md). 0 on SQLite.</param>
/// <param name="History">The mark of the history (contact_change_history) the position was read in: a position from
/// another history (a promoted standby, a restore) has expired. 0: read before marks, valid only while the database is
/// still in its first history.</param>
public sealed record ChangePosition(ChangePositionKind Kind, long Seq, long ContactId, long WalPosition, long History)
{
    /// <summary>ContactId of a log position that has sent every change at its Seq (a short page's end).</summary>
    public const long AllOfPosition = long.MaxValue;
}
