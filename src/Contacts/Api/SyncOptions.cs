using System.ComponentModel.DataAnnotations;

namespace Contacts.Api;

/// <summary>Bound from the "Sync" section.</summary>
public sealed class SyncOptions
{
    /// <summary>How long deletions stay in the change feed; a cursor older than that answers 410.</summary>
    [Range(0, 36_500)]
    public int HistoryDays { get; set; } = 30;

    /// <summary>How often the server purges deletions older than <see cref="HistoryDays"/>.</summary>
    [Range(1, 1_440)]
    public int PurgeIntervalMinutes { get; set; } = 60;
}
