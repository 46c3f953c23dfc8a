using Contacts.Data.Keys;
using System.CommandLine;
using System.Globalization;

namespace Contacts.Cli;

/// <summary>contacts key create|list|revoke: a company's API keys; the secret is shown once, at creation.</summary>
internal static class KeyCommands
{
    public static Command Create(CliContext io)
    {
        var company = CompanyOption.Create();
        var label = new Option<string?>("--name") { Description = "A label for the key (e.g. the integration using it)" };
        var create = io.UsesDatabase(new Command("create", "Create an API key for a company. The key is shown once.") { company, label, io.JsonOption });
        create.SetAction(async (parse, ct) =>
        {
            await using var db = await io.OpenMigratedAsync(parse, ct);
            var companyId = await io.RequireCompanyAsync(db, parse.GetValue(company), ct);
            var key = await KeyQueries.CreateAsync(db, companyId, parse.GetValue(label), ct);
            io.Write(parse, new CreatedKeyJson(key.Id, CompanyCommands.Id(key.CompanyId), key.Name, key.Key), CliJsonContext.Default.CreatedKeyJson,
                () => $"Created key {key.Id} for company {key.CompanyId}. Store it now, it is not shown again:{Environment.NewLine}{key.Key}");
            return ContactsCli.Ok;
        });

        var list = io.UsesDatabase(new Command("list", "List a company's keys (ids and dates, never secrets).") { company, io.JsonOption });
        list.SetAction(async (parse, ct) =>
        {
            await using var db = await io.OpenMigratedAsync(parse, ct);
            var companyId = await io.RequireCompanyAsync(db, parse.GetValue(company), ct);
            var keys = await KeyQueries.ListAsync(db, companyId, ct);
            io.Write(parse, [.. keys.Select(k => new KeyListItemJson(k.Id, CompanyCommands.Id(k.CompanyId), k.Name, k.CreatedAt, k.RevokedAt, k.LastUsedAt))],
                CliJsonContext.Default.KeyListItemJsonArray,
                () => keys.Count == 0 ? $"Company {companyId} has no keys."
                    : string.Join(Environment.NewLine, keys.Select(k =>
                        $"{k.Id}  {(k.RevokedAt is null ? "active " : "revoked")}  {k.Name ?? "-"}  created {k.CreatedAt:u}  last used {(k.LastUsedAt is { } u ? u.ToString("u", CultureInfo.InvariantCulture) : "never")}")));
            return ContactsCli.Ok;
        });

        var id = new Option<string>("--id") { Description = "The key id shown by 'key create' and 'key list'", Required = true };
        var revoke = io.UsesDatabase(new Command("revoke", "Revoke a key. Servers stop accepting it within Auth:CacheSeconds.") { id, io.JsonOption });
        revoke.SetAction(async (parse, ct) =>
        {
            await using var db = await io.OpenMigratedAsync(parse, ct);
            var keyId = parse.GetValue(id)!.Trim();
            if (!await KeyQueries.RevokeAsync(db, keyId, ct))
                throw new CliException($"No active key with id '{keyId}'.");
            io.Write(parse, new RevokedKeyJson(keyId, true), CliJsonContext.Default.RevokedKeyJson, () => $"Revoked key {keyId}.");
            return ContactsCli.Ok;
        });
        return new Command("key", "Manage API keys.") { create, list, revoke };
    }
}
