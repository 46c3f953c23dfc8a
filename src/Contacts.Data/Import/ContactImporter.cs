using Contacts.Contracts;

namespace Contacts.Data.Import;

/// <summary>
/// Writes validated records for one company in a single transaction, in batches: the matcher decides what each record
/// does (<see cref="ImportMatcher"/>), the database's writer does it. Matched contacts are updated only when something
/// differs, the others inserted; unknown tags are created; the file's tags replace the contact's tags.
/// </summary>
public static class ContactImporter
{
    public const int BatchSize = 2000;

    /// <param name="errors">
    /// Shared with the reader, which adds the rows it refuses while the records are enumerated; the importer adds the
    /// rows the database refuses. Without <paramref name="skipInvalid"/>, any error rolls the transaction back.
    /// </param>
    /// <param name="claims">Which line claimed each contact; in memory when not given (fine for small imports).</param>
    public static async Task<ImportOutcome> ImportAsync(
        ContactsDatabase db, long companyId, IEnumerable<ImportRecord> records, bool skipInvalid,
        ImportErrors? errors = null, IContactClaims? claims = null, Action<long>? progress = null, CancellationToken ct = default)
    {
        errors ??= new ImportErrors();
        await using var connection = await db.OpenAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        var writer = db.Dialect.CreateImportWriter(connection, transaction, companyId);
        await writer.StartAsync(ct);
        var session = new Session(writer, new ImportMatcher(companyId, claims), errors, await writer.LoadTagsAsync(ct),
            UtcTimestampConverter.TruncateToMillisecond(db.Clock.GetUtcNow().UtcDateTime));

        long processed = 0;
        foreach (var batch in records.Chunk(BatchSize))
        {
            await session.WriteBatchAsync(batch, ct);
            processed += batch.Length;
            progress?.Invoke(processed);
        }

        if (errors.Count > 0 && !skipInvalid)
        {
            await transaction.RollbackAsync(ct);
            throw new ImportRejectedException(errors);
        }
        await writer.FinishAsync(ct);
        await transaction.CommitAsync(ct);
        return new ImportOutcome(session.Inserted, session.Updated, session.Unchanged, errors);
    }

    private sealed class Session(ImportWriter writer, ImportMatcher matcher, ImportErrors errors, Dictionary<string, (long Id, string? Color)> tags, DateTime now)
    {
        public int Inserted { get; private set; }
        public int Updated { get; private set; }
        public int Unchanged { get; private set; }

        public async Task WriteBatchAsync(ImportRecord[] batch, CancellationToken ct)
        {
            var decisions = matcher.Match(batch, await writer.FindExistingAsync(batch, ct));
            foreach (var reject in decisions.OfType<ImportDecision.Reject>()) errors.Add(new RowError(reject.Record.Line, reject.Reason));
            await EnsureTagsAsync(batch, ct);
            await UpdateAsync([.. decisions.OfType<ImportDecision.Update>()], ct);
            await InsertAsync([.. decisions.OfType<ImportDecision.Insert>().Select(d => d.Record)], ct);
        }

        private async Task EnsureTagsAsync(ImportRecord[] batch, CancellationToken ct)
        {
            foreach (var tag in batch.SelectMany(r => r.Tags))
            {
                var folded = SearchText.Fold(tag.Name);
                if (tags.TryGetValue(folded, out var state))
                {
                    if (tag.Color is null || tag.Color == state.Color) continue;
                    await writer.RecolorTagAsync(state.Id, tag.Color, ct);
                    tags[folded] = state with { Color = tag.Color };
                    continue;
                }
                tags[folded] = (await writer.InsertTagAsync(tag.Name, folded, tag.Color, now, ct), tag.Color);
            }
        }

        private SortedSet<long> TagIdsOf(ImportRecord record) => [.. record.Tags.Select(t => tags[SearchText.Fold(t.Name)].Id)];

        private async Task UpdateAsync(List<ImportDecision.Update> updates, CancellationToken ct)
        {
            if (updates.Count == 0) return;
            var currentTags = await writer.LoadContactTagsAsync([.. updates.Select(u => u.Target.Id)], ct);
            var tagRows = new List<(long ContactId, long TagId)>();
            foreach (var (record, target) in updates)
            {
                var wanted = TagIdsOf(record);
                var tagsChanged = !wanted.SetEquals(currentTags.GetValueOrDefault(target.Id) ?? []);
                if (ImportMatcher.Changes(record, target, tagsChanged, now) is not { } row)
                {
                    Unchanged++;
                    continue;
                }
                Updated++;
                await writer.UpdateContactAsync(row, ct);
                if (!tagsChanged) continue;
                await writer.DeleteContactTagsAsync(target.Id, ct);
                tagRows.AddRange(wanted.Select(t => (target.Id, t)));
            }
            await writer.InsertContactTagsAsync(tagRows, ct);
        }

        private async Task InsertAsync(List<ImportRecord> inserts, CancellationToken ct)
        {
            if (inserts.Count == 0) return;
            // The file is read once, so its later explicit ids are unknown here: generated ids go above the database's and
            // this batch's explicit ids, and are claimed by their line, so a later row naming one is refused, never merged.
            await writer.ReserveAboveAsync(inserts.Max(r => r.Id ?? 0), ct);
            var generated = new Queue<long>(await writer.AllocateIdsAsync(inserts.Count(r => r.Id is null), ct));
            var rows = inserts.Select(r => ImportMatcher.NewRow(r.Id ?? generated.Dequeue(), r, now)).ToList();
            foreach (var row in rows.Where(row => row.Record.Id is null)) matcher.Claim(row.Id, row.Record.Line);
            await writer.InsertContactsAsync(rows, ct);
            Inserted += rows.Count;
            await writer.InsertContactTagsAsync([.. rows.SelectMany(row => TagIdsOf(row.Record).Select(t => (row.Id, t)))], ct);
        }
    }
}
