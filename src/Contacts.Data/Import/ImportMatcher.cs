using Contacts.Contracts;

namespace Contacts.Data.Import;

/// <summary>
/// Decides, without a database, what an import does with each record. A record matches an existing contact of the
/// company by id, else phone_number, else email; a record whose id belongs to another company, or that matches a
/// contact an earlier line already matched, is rejected. One matcher per import: it remembers what earlier batches claimed
/// (in <paramref name="claims"/>, or in memory without).
/// </summary>
public sealed class ImportMatcher(long companyId, IContactClaims? claims = null)
{
    private readonly IContactClaims _claims = claims ?? new ClaimsInMemory();

    /// <summary>The ids, phone numbers and emails to look up for a batch (ids globally: another company's id is refused).</summary>
    public static (List<long> Ids, List<string> Phones, List<string> Emails) Keys(IReadOnlyList<ImportRecord> batch) =>
        ([.. batch.Where(r => r.Id.HasValue).Select(r => r.Id!.Value)],
         [.. batch.Where(r => r.Id is null && r.PhoneNumber is not null).Select(r => r.PhoneNumber!).Distinct()],
         [.. batch.Where(r => r.Id is null && r.Email is not null).Select(r => r.Email!).Distinct()]);

    /// <summary>An id this import generated for a line: a later line naming it explicitly is refused like any second claim.</summary>
    public void Claim(long id, int line) => _claims.TryClaim(id, line, out _);

    public List<ImportDecision> Match(IReadOnlyList<ImportRecord> batch, IReadOnlyDictionary<long, ExistingContact> existing)
    {
        var byPhone = new Dictionary<string, ExistingContact>(StringComparer.Ordinal);
        var byEmail = new Dictionary<string, ExistingContact>(StringComparer.Ordinal);
        // The oldest contact wins when several share a phone number or email.
        foreach (var e in existing.Values.Where(e => e.CompanyId == companyId).OrderBy(e => e.Id))
        {
            if (e.Phone is not null) byPhone.TryAdd(e.Phone, e);
            if (e.Email is not null) byEmail.TryAdd(e.Email, e);
        }

        var decisions = new List<ImportDecision>(batch.Count);
        foreach (var record in batch)
        {
            ExistingContact? target = null;
            if (record.Id is { } id)
            {
                if (existing.TryGetValue(id, out var byId))
                {
                    if (byId.CompanyId != companyId)
                    {
                        decisions.Add(new ImportDecision.Reject(record, $"id {id} is already used by another company's contact"));
                        continue;
                    }
                    target = byId;
                }
            }
            else if (record.PhoneNumber is not null && byPhone.TryGetValue(record.PhoneNumber, out var p)) target = p;
            else if (record.Email is not null && byEmail.TryGetValue(record.Email, out var m)) target = m;

            if ((target?.Id ?? record.Id) is { } claimed && !_claims.TryClaim(claimed, record.Line, out var firstLine))
            {
                decisions.Add(new ImportDecision.Reject(record, $"matches the same contact as line {firstLine}"));
                continue;
            }
            decisions.Add(target is null ? new ImportDecision.Insert(record) : new ImportDecision.Update(record, target));
        }
        return decisions;
    }

    /// <summary>
    /// The row an update writes, or null when nothing differs (a second import of the same file changes nothing).
    /// A missing created_at keeps the stored one; a missing updated_at becomes the import's time when something changed.
    /// </summary>
    public static ContactRow? Changes(ImportRecord record, ExistingContact target, bool tagsChanged, DateTime now)
    {
        var createdAt = record.CreatedAt is { } c ? UtcTimestampConverter.TruncateToMillisecond(c) : target.CreatedAt;
        var updatedAt = record.UpdatedAt is { } u ? UtcTimestampConverter.TruncateToMillisecond(u) : (DateTime?)null;
        var fieldsChanged = record.FirstName != target.FirstName || record.LastName != target.LastName ||
            record.Email != target.Email || record.PhoneNumber != target.Phone ||
            record.PhoneNumberLid != target.Lid || record.ProfilePicture != target.Picture || createdAt != target.CreatedAt ||
            updatedAt is { } explicitUpdate && explicitUpdate != target.UpdatedAt;
        return fieldsChanged || tagsChanged ? new ContactRow(target.Id, record, createdAt, updatedAt ?? now) : null;
    }

    /// <summary>The row an insert writes: created_at defaults to the import's time, updated_at to created_at.</summary>
    public static ContactRow NewRow(long id, ImportRecord record, DateTime now)
    {
        var created = UtcTimestampConverter.TruncateToMillisecond(record.CreatedAt ?? now);
        return new ContactRow(id, record, created, record.UpdatedAt is { } u ? UtcTimestampConverter.TruncateToMillisecond(u) : created);
    }

    private sealed class ClaimsInMemory : IContactClaims
    {
        private readonly Dictionary<long, int> _lines = [];

        public bool TryClaim(long contactId, int line, out int firstLine)
        {
            if (_lines.TryAdd(contactId, line))
            {
                firstLine = line;
                return true;
            }
            firstLine = _lines[contactId];
            return false;
        }
    }
}
