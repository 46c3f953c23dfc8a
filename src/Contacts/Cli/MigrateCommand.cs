using System.CommandLine;
using Contacts.Data;

namespace Contacts.Cli;

/// <summary>contacts migrate: apply pending schema migrations and exit.</summary>
internal static class MigrateCommand
{
    public static Command Create(CliContext io)
    {
        var command = io.UsesDatabase(new Command("migrate", "Apply pending schema migrations and exit.") { io.JsonOption });
        command.SetAction(async (parse, ct) =>
        {
            await using var db = io.Open(parse);
            StartupChecks.EnsureSqliteFolderUsable(db);
            var applied = await Migrator.MigrateAsync(db, ct);
            var version = await Migrator.CurrentVersionAsync(db, ct);
            io.Write(parse, new MigrateJson([.. applied.Select(m => m.Name)], version), CliJsonContext.Default.MigrateJson,
                () => applied.Count == 0
                    ? $"Schema is up to date (version {version})."
                    : string.Join(Environment.NewLine, applied.Select(m => $"Applied {m.Name}")) + $"{Environment.NewLine}Schema is at version {version}.");
            return ContactsCli.Ok;
        });
        return command;
    }
}
