namespace Contacts.Data.Changes;

/// <summary>
/// One reading of the primary, in its own clock: the newest commit a feed can show there (null: none yet; MayRead false:
/// the role may not execute contacts_change_newest_commit), the oldest transaction id still held (null: no transaction
/// holds one), and the age of the oldest such transaction whose start the role may see.
/// </summary>
public sealed record PrimaryFreshness(DateTimeOffset Now, bool MayRead, DateTimeOffset? NewestCommit, long? OldestTransactionId,
    double? OldestVisibleSeconds);
