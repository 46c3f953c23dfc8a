using Contacts.Data.Companies;
using System.CommandLine;
using System.Globalization;

namespace Contacts.Cli;

/// <summary>contacts company create|list: the tenants.</summary>
internal static class CompanyCommands
{
    public static Command Create(CliContext io)
    {
        var name = new Option<string>("--name") { Description = "Company name", Required = true };
        var create = io.UsesDatabase(new Command("create", "Create a company and print its id.") { name, io.JsonOption });
        create.SetAction(async (parse, ct) =>
        {
            var value = parse.GetValue(name)!.Trim();
            if (value.Length == 0) throw new CliException("--name must not be empty.");
            await using var db = await io.OpenMigratedAsync(parse, ct);
            var company = await CompanyQueries.CreateAsync(db, value, ct);
            io.Write(parse, new CompanyJson(Id(company.Id), company.Name, company.CreatedAt), CliJsonContext.Default.CompanyJson,
                () => $"Created company {company.Id} '{company.Name}'.");
            return ContactsCli.Ok;
        });

        var list = io.UsesDatabase(new Command("list", "List companies with their contact and active key counts.") { io.JsonOption });
        list.SetAction(async (parse, ct) =>
        {
            await using var db = await io.OpenMigratedAsync(parse, ct);
            var companies = await CompanyQueries.ListAsync(db, ct);
            io.Write(parse, [.. companies.Select(c => new CompanyListItemJson(Id(c.Id), c.Name, c.CreatedAt, c.Contacts, c.ActiveKeys))],
                CliJsonContext.Default.CompanyListItemJsonArray,
                () => companies.Count == 0 ? "No companies yet. Create one with: contacts company create --name NAME"
                    : string.Join(Environment.NewLine, companies.Select(c => $"{c.Id,6}  {c.Name}  ({c.Contacts} contacts, {c.ActiveKeys} active keys)")));
            return ContactsCli.Ok;
        });
        return new Command("company", "Manage companies (tenants).") { create, list };
    }

    internal static string Id(long id) => id.ToString(CultureInfo.InvariantCulture);
}
