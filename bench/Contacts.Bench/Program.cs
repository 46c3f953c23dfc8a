using Contacts.Bench;

// The benchmark's helpers; bench/run.sh calls them in order. Each subcommand is in its own file.
return args switch
{
    ["generate", var size, var dir] => DataGenerator.Run(size, dir),
    ["load", var dir, var provider, var connection] => await Loader.RunAsync(dir, provider, connection),
    ["load", var dir, var provider, var connection, "--alone"] => await Loader.RunAsync(dir, provider, connection, alone: true),
    ["load", var dir, var provider, var connection, "--per-command"] => await Loader.RunAsync(dir, provider, connection, perCommand: true),
    ["requests", var dir, var provider, var outDir] => Requests.Run(dir, provider, outDir),
    ["requests", var dir, var provider, var outDir, "--alone"] => Requests.Run(dir, provider, outDir, alone: true),
    ["changes-cursors", var url, var dir, var provider, var outDir] => await ChangeFeedBench.CursorsAsync(url, dir, provider, outDir, MaxLimit),
    ["contact-ids", var url, var dir, var provider, var outDir] => await ContactIds.RunAsync(url, dir, provider, outDir),
    ["changes-walk", var url, var dir, var provider, var outFile] => await ChangeFeedBench.WalkAsync(url, dir, provider, outFile, MaxLimit),
    ["pgbench-scripts", var log, var dir] => StatementCapture.Run(log, dir),
    ["report", var results, var markdown, var svg] => ReportWriter.Run(results, markdown, svg),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("""
        usage: contacts-bench generate small|medium|large DIR
               contacts-bench load DIR sqlite|postgres CONNECTION_STRING [--alone | --per-command]
               contacts-bench requests DIR sqlite|postgres OUT_DIR [--alone]
               contacts-bench changes-cursors URL DIR sqlite|postgres OUT_DIR
               contacts-bench contact-ids URL DIR sqlite|postgres OUT_DIR
               contacts-bench changes-walk URL DIR sqlite|postgres OUT.json
               contacts-bench pgbench-scripts POSTGRES_LOG DIR
               contacts-bench report RESULTS_DIR REPORT.md CHART.svg
        """);
    return 2;
}

public static partial class Program
{
    // The feed's pages in the scenarios are as large as the service allows by default (Api:MaxLimit).
    private static readonly int MaxLimit = new Contacts.Api.ApiOptions().MaxLimit;
}
