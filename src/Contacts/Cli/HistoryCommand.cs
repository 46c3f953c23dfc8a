using System.CommandLine;
using Contacts.Data.Changes;

namespace Contacts.Cli;

/// <summary>contacts history restart: after restoring an older copy of the database that the database cannot recognise.</summary>
internal static class HistoryCommand
{
    public static Command Create(CliContext io)
    {
        var restart = io.UsesDatabase(new Command("restart",
            "Start a new change-feed history: every change-feed cursor issued so far answers 410 and its client starts again. " +
            "Run it after restoring an older copy of a SQLite file, or a PostgreSQL data directory from a file-system snapshot " +
            "(a promoted standby, a point-in-time recovery or a dump restored elsewhere start a new history by themselves).")
        {
            io.JsonOption,
        });
        restart.SetAction(async (parse, ct) =>
        {
            await using var db = await io.OpenMigratedAsync(parse, ct);
            var history = await ChangeFeedQueries.RestartHistoryAsync(db, ct);
            io.Write(parse, new HistoryJson(history), CliJsonContext.Default.HistoryJson,
                () => $"Started change-feed history {history}: every earlier cursor now answers 410 (start again without a cursor).");
            return ContactsCli.Ok;
        });
        return new Command("history", "The change feed's history (docs/sync.md).") { restart };
    }
}
