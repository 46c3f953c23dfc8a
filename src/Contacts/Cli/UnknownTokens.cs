using System.CommandLine;
using System.CommandLine.Parsing;

namespace Contacts.Cli;

/// <summary>
/// The words of a command line that no option or argument took, named in the error with the option probably meant:
/// `key list --compnay 1` says "unknown option '--compnay' for 'key list': did you mean '--company'?".
/// </summary>
internal static class UnknownTokens
{
    public static List<string> Describe(ParseResult result)
    {
        var command = result.CommandResult;
        var name = string.Join(' ', CommandPath(command).Skip(1));
        var known = command.Command.Options.SelectMany(o => o.Aliases.Prepend(o.Name)).Where(n => n.StartsWith("--", StringComparison.Ordinal)).ToList();
        // An argument (import's FILE) takes an unknown --option as its value, so those count too.
        var taken = command.Children.OfType<ArgumentResult>().SelectMany(a => a.Tokens).Select(t => t.Value);
        var options = taken.Concat(result.UnmatchedTokens).Where(t => t.StartsWith('-')).Select(t => t.Split('=', 2)[0]).Distinct().ToList();
        var errors = options.Select(option => known.MinBy(k => Distance(option, k)) is { } closest && Distance(option, closest) <= Math.Max(2, option.Length / 4)
            ? $"unknown option '{option}' for '{name}': did you mean '{closest}'?"
            : $"unknown option '{option}' for '{name}'.").ToList();
        // Beside an unknown option, a stray word is most likely its value, or the argument it displaced: the option is the news.
        if (errors.Count == 0) errors.AddRange(result.UnmatchedTokens.Select(token => $"unexpected argument '{token}' for '{name}'."));
        return errors;
    }

    /// <summary>"contacts key list": the root's name is the executable's, which `dotnet run` does not know.</summary>
    public static IEnumerable<string> CommandPath(CommandResult command)
    {
        var names = new List<string>();
        for (CommandResult? c = command; c is not null; c = c.Parent as CommandResult) names.Add(c.Parent is null ? "contacts" : c.Command.Name);
        return Enumerable.Reverse(names);
    }

    /// <summary>Optimal string alignment distance: a swap of two neighbours (compnay, company) is one edit.</summary>
    private static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (var j = 0; j <= b.Length; j++) d[0, j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = char.ToLowerInvariant(a[i - 1]) == char.ToLowerInvariant(b[j - 1]) ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
            }
        }
        return d[a.Length, b.Length];
    }
}
