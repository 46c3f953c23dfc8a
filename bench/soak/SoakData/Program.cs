using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using Contacts.Data;
using Contacts.Demo;
using Contacts.Data.Import;

// soak-data FILE COUNT SEED: COUNT generated contacts as JSON Lines in the API's shape, for `contacts import`.
// Deterministic (the product's own generator, fixed seed and "now"): the same arguments give the same bytes.
if (args is not [var path, var countText, var seedText]
    || !int.TryParse(countText, CultureInfo.InvariantCulture, out var count)
    || !int.TryParse(seedText, CultureInfo.InvariantCulture, out var seed))
{
    Console.Error.WriteLine("usage: soak-data FILE COUNT SEED");
    return 2;
}

var now = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
var terms = new SortedSet<string>(StringComparer.Ordinal);
foreach (var record in ContactGenerator.Contacts(seed, count, ContactGenerator.Tags(seed, 40), now))
{
    json.Reset();
    ImportJsonLines.Write(json, record);
    json.Flush();
    stream.WriteByte((byte)'\n');
    // a few search terms that hit real rows: every 5,000th surname, for the soak's search requests
    if (record.Line % 5_000 == 0 && record.LastName is { Length: >= 3 } last) terms.Add(Uri.EscapeDataString(last[..3]));
}
// the terms go to stdout, one per line and URL-encoded: the soak script builds its wrk request mix from them
foreach (var term in terms) Console.WriteLine(term);
return 0;
