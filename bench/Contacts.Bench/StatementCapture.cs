using System.Text;
using System.Text.RegularExpressions;

namespace Contacts.Bench;

/// <summary>
/// Turns PostgreSQL log segments captured with log_statement=all (one segment per service request, log_line_prefix
/// '%a|%p|') into pgbench scripts: the service's statements exactly as sent, in order, with their bound parameters
/// written in as the literals the log shows. One script = one request = one pgbench transaction. The statements of one
/// service command (a company command: set_config first, then the request's statements, one round trip and one implicit
/// transaction) are replayed the same way, as one pgbench pipeline.
/// </summary>
internal static partial class StatementCapture
{
    public static int Run(string captureDir, string outDir)
    {
        Directory.CreateDirectory(outDir);
        foreach (var log in Directory.GetFiles(captureDir, "*.log").Order(StringComparer.Ordinal))
        {
            var statements = Parse(File.ReadAllLines(log));
            if (statements.Count == 0) throw new InvalidOperationException($"{log}: no statements from the service were captured");
            var script = new StringBuilder();
            foreach (var command in Commands(statements))
            {
                if (command.Count > 1) script.Append("\\startpipeline\n");
                foreach (var statement in command) script.Append(statement).Append(";\n");
                if (command.Count > 1) script.Append("\\endpipeline\n");
            }
            File.WriteAllText(Path.Combine(outDir, Path.GetFileNameWithoutExtension(log) + ".sql"), script.ToString());
            Console.Error.WriteLine($"pgbench-scripts: {Path.GetFileName(log)}: {statements.Count} statement(s)");
        }
        return 0;
    }

    /// <summary>Groups the statements the service sent in one command: a company setting and the statements after it.</summary>
    private static List<List<string>> Commands(List<string> statements)
    {
        var commands = new List<List<string>>();
        foreach (var statement in statements)
        {
            var startsCommand = statement.Contains("set_config('contacts.company_id'", StringComparison.Ordinal)
                                || statement.Contains("contacts_find_key", StringComparison.Ordinal)
                                || statement.StartsWith("DISCARD", StringComparison.Ordinal);
            if (startsCommand || commands.Count == 0) commands.Add([statement]);
            else commands[^1].Add(statement);
        }
        return commands;
    }

    private static List<string> Parse(string[] lines)
    {
        var statements = new List<string>();
        string? current = null;
        foreach (var line in lines)
        {
            if (line.StartsWith('\t'))
            {
                if (current is not null) current += "\n" + line[1..];
                continue;
            }
            var parts = line.Split('|', 3);
            if (parts.Length < 3 || parts[0] != "contacts") { Flush(); continue; }
            var message = parts[2];
            var execute = ExecuteLine().Match(message);
            if (execute.Success)
            {
                Flush();
                current = execute.Groups["sql"].Value;
            }
            else if (message.StartsWith("DETAIL:  parameters: ", StringComparison.Ordinal) && current is not null)
            {
                var values = Parameter().Matches(message).ToDictionary(m => m.Groups["n"].Value, m => m.Groups["v"].Value);
                current = Placeholder().Replace(current, m => values.TryGetValue(m.Groups["n"].Value, out var v) ? v : m.Value);
                Flush();
            }
            else if (message.StartsWith("LOG:  statement: ", StringComparison.Ordinal))
            {
                Flush();
                current = message["LOG:  statement: ".Length..];
            }
        }
        Flush();
        return statements;

        void Flush()
        {
            if (current is not null) statements.Add(current.TrimEnd().TrimEnd(';'));
            current = null;
        }
    }

    [GeneratedRegex(@"^LOG:  execute [^:]*: (?<sql>.*)$")]
    private static partial Regex ExecuteLine();

    [GeneratedRegex(@"\$(?<n>\d+) = (?<v>'(?:[^']|'')*'|NULL)")]
    private static partial Regex Parameter();

    [GeneratedRegex(@"\$(?<n>\d+)(?!\d)")]
    private static partial Regex Placeholder();
}
