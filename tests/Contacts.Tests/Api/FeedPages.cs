using System.Globalization;
using System.Text.Json;
using static Contacts.Tests.Api.ContractAssert;

namespace Contacts.Tests.Api;

/// <summary>The change feed read as a client reads it over HTTP: pages until has_more is false, items by type and id.</summary>
internal static class FeedPages
{
    public const string ChangesPath = "/api/v1/contacts/changes";

    /// <summary>Every page from <paramref name="cursor"/> until has_more is false: the items and the last cursor.</summary>
    public static async Task<(List<JsonElement> Items, string Cursor)> DrainAsync(HttpClient client, string? cursor, int limit = 100)
    {
        var items = new List<JsonElement>();
        for (var pages = 0; pages < 10_000; pages++)
        {
            var page = await PageAsync(client, $"{ChangesPath}?limit={limit}" + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor)));
            items.AddRange(page.GetProperty("data").EnumerateArray());
            cursor = page.GetProperty("next_cursor").GetString()!;
            if (!page.GetProperty("has_more").GetBoolean()) return (items, cursor);
        }
        throw new InvalidOperationException("The feed never said has_more=false.");
    }

    public static string Type(JsonElement item) => item.GetProperty("type").GetString()!;

    public static long Id(JsonElement item) => long.Parse(
        (Type(item) == "upsert" ? item.GetProperty("contact").GetProperty("id") : item.GetProperty("id")).GetString()!, CultureInfo.InvariantCulture);
}
