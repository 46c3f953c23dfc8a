using Contacts.Data.Companies;
using Contacts.Data.Keys;
using Contacts.Data;
using Contacts.Data.Generation;
using Contacts.Data.Import;

namespace Contacts.Cli;

/// <summary>The demo company: created once with generated contacts (fixed seed), found again by name after that.</summary>
public static class DemoData
{
    public const string CompanyName = "Demo Company";
    public const int ContactCount = 1000;
    private const int Seed = 20250801;

    public static async Task<(CompanyRow Company, bool Created)> EnsureAsync(ContactsDatabase db, CancellationToken ct)
    {
        var existing = (await CompanyQueries.ListAsync(db, ct)).FirstOrDefault(c => c.Name == CompanyName);
        if (existing is not null && existing.Contacts > 0) return (existing, false);
        var company = existing ?? await CompanyQueries.CreateAsync(db, CompanyName, ct);
        var tags = ContactGenerator.Tags(Seed, 24);
        var contacts = ContactGenerator.Contacts(Seed, ContactCount, tags, DateTime.UtcNow);
        await ContactImporter.ImportAsync(db, company.Id, contacts, skipInvalid: false, ct: ct);
        return (company, true);
    }
}
