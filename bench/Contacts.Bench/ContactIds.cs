using System.Globalization;
using Contacts.Client;
using Contacts.Contracts;

namespace Contacts.Bench;

/// <summary>
/// contact-by-id's request file (issue 21): ids of the big company as the running service lists them (they are the
/// database's, not the data files'), from 20 pages of 100 spread over the company at seeded random places, shuffled
/// with a fixed seed, so the scenario asks for ids all over the table.
/// </summary>
internal static class ContactIds
{
    public static async Task<int> RunAsync(string url, string dataDir, string provider, string outDir)
    {
        var big = ChangeFeedBench.Keys(dataDir, provider).First(c => c.Role == "big");
        using var client = ContactsClient.Create(new Uri(url), big.Key);
        var random = new Random(21);
        var lastPage = Math.Max(1, big.Contacts / 100);
        var ids = new List<string>();
        foreach (var page in Enumerable.Range(0, 20).Select(_ => random.Next(1, lastPage + 1)).Distinct())
        {
            Page<Contact> contacts = await client.GetContactsAsync(new ContactsQuery { Page = page, Limit = 100 });
            ids.AddRange(contacts.Data.Select(c => c.Id));
        }
        random.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(ids));
        Directory.CreateDirectory(outDir);
        await File.WriteAllLinesAsync(Path.Combine(outDir, Requests.ContactById + ".tsv"),
            ids.Take(2000).Select(id => $"{big.Key}\t/api/v1/contacts/{id}"));
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"contact-ids: {Math.Min(ids.Count, 2000)} ids of the big company"));
        return 0;
    }
}
