using Contacts.Data.Companies;
using Contacts.Data.Keys;
using Contacts.Data;
using Contacts.Demo;
using Contacts.Data.Import;

namespace Contacts.Cli;

/// <summary>The demo company: created once with generated contacts (fixed seed), found again by name after that.</summary>
public static class DemoData
{
    public const string CompanyName = "Demo Company";
    public const string KeyName = "demo";
    public const int ContactCount = 1000;
    private const int Seed = 20250801;

    public static async Task<(CompanyRow Company, bool Created)> EnsureAsync(ContactsDatabase db, TimeProvider clock, CancellationToken ct)
    {
        var existing = (await CompanyQueries.ListAsync(db, ct)).FirstOrDefault(c => c.Name == CompanyName);
        if (existing is not null && existing.Contacts > 0) return (existing, false);
        var company = existing ?? await CompanyQueries.CreateAsync(db, CompanyName, ct);
        var tags = ContactGenerator.Tags(Seed, 24);
        var contacts = ContactGenerator.Contacts(Seed, ContactCount, tags, clock.GetUtcNow().UtcDateTime);
        await ContactImporter.ImportAsync(db, company.Id, contacts, skipInvalid: false, ct: ct);
        return (company, true);
    }

    /// <summary>
    /// A new key named "demo"; the demo keys of earlier runs are revoked, since their secrets cannot be shown again.
    /// Returns the key and how many were revoked. Other keys of the demo company are left alone.
    /// </summary>
    public static async Task<(CreatedApiKey Key, int Revoked)> NewKeyAsync(ContactsDatabase db, long companyId, CancellationToken ct)
    {
        var key = await KeyQueries.CreateAsync(db, companyId, KeyName, ct);
        var revoked = 0;
        foreach (var earlier in await KeyQueries.ListAsync(db, companyId, ct))
        {
            if (earlier.Name == KeyName && earlier.RevokedAt is null && earlier.Id != key.Id && await KeyQueries.RevokeAsync(db, earlier.Id, ct))
                revoked++;
        }
        return (key, revoked);
    }
}
