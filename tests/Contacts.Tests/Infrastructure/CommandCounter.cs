using System.Diagnostics.Metrics;
using Contacts.Data;

namespace Contacts.Tests.Infrastructure;

/// <summary>
/// Counts the statements Contacts.Data sends (its contacts.db.commands counter) from creation to disposal, in the whole
/// process: for SQLite, which has no server to ask; run it where no other test works at the same time.
/// </summary>
internal sealed class CommandCounter : IDisposable
{
    private readonly MeterListener _listener = new();
    private long _count;

    public CommandCounter()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter == ContactsDatabase.Meter && instrument.Name == "contacts.db.commands") listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref _count, value));
        _listener.Start();
    }

    public long Count => Interlocked.Read(ref _count);

    public void Dispose() => _listener.Dispose();
}
