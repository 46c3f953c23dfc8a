using Contacts.Cli;

namespace Contacts.Tests.Cli;

/// <summary>Help that names what a newcomer needs (--urls, how settings are passed), and usage errors in words: the option, what it expects.</summary>
public sealed class UsageTests
{
    [Theory]
    [InlineData("serve")]
    [InlineData("demo")]
    public async Task ServerHelpNamesUrlsAndHowToPassSettings(string command)
    {
        var help = await CliRunner.RunAsync(command, "--help");

        Assert.Equal(ContactsCli.Ok, help.ExitCode);
        Assert.Contains("--urls <urls>", help.Stdout, StringComparison.Ordinal);
        Assert.Contains("http://127.0.0.1:0", help.Stdout, StringComparison.Ordinal);
        Assert.Contains("ASPNETCORE_HTTP_PORTS", help.Stdout, StringComparison.Ordinal);
        Assert.Contains("--Section:Key=value", help.Stdout, StringComparison.Ordinal);
        Assert.Contains("Section__Key", help.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExportHelpListsNoDatabaseOptionsBecauseExportReadsAServer()
    {
        var export = await CliRunner.RunAsync("export", "--help");
        var keyList = await CliRunner.RunAsync("key", "list", "--help");

        Assert.DoesNotContain("--provider", export.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("--connection-string", export.Stdout, StringComparison.Ordinal);
        Assert.Contains("--provider", keyList.Stdout, StringComparison.Ordinal);
        Assert.Contains("--connection-string", keyList.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DatabaseOptionOnExportIsAnUnknownOption()
    {
        var result = await CliRunner.RunAsync("export", "--url", "http://127.0.0.1:1", "--provider", "postgres");

        Assert.Equal(ContactsCli.BadInput, result.ExitCode);
        Assert.Contains("unknown option '--provider' for 'export'.", result.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "key", "create", "--company", "abc" }, "--company expects a company id, a whole number such as 2 ('contacts company list' shows them), not 'abc'.")]
    [InlineData(new[] { "key", "list", "--company=1.5" }, "--company expects a company id")]
    [InlineData(new[] { "import", "--company", "2", "--fifo-timeout", "ten", "a.csv" }, "--fifo-timeout expects a whole number of seconds, not 'ten'.")]
    [InlineData(new[] { "export", "--url", "http://127.0.0.1:1", "--page-size", "many" }, "--page-size expects a whole number of contacts per request, not 'many'.")]
    public async Task ValueOfTheWrongTypeNamesTheOptionAndWhatItExpects(string[] args, string message)
    {
        var result = await CliRunner.RunAsync(args);

        Assert.Equal(ContactsCli.BadInput, result.ExitCode);
        Assert.Contains("error: " + message, result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("System.", result.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "key", "list", "--compnay", "1" }, "unknown option '--compnay' for 'key list': did you mean '--company'?")]
    [InlineData(new[] { "key", "create", "--company", "1", "--nmae=crm" }, "unknown option '--nmae' for 'key create': did you mean '--name'?")]
    [InlineData(new[] { "import", "--company", "1", "--skip-invaild", "a.csv" }, "unknown option '--skip-invaild' for 'import': did you mean '--skip-invalid'?")]
    [InlineData(new[] { "company", "list", "--verbose" }, "unknown option '--verbose' for 'company list'.")]
    public async Task MisspelledOptionIsNamedWithTheOptionMeant(string[] args, string message)
    {
        var result = await CliRunner.RunAsync(args);

        Assert.Equal(ContactsCli.BadInput, result.ExitCode);
        var lines = result.Stderr.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("error: " + message, lines[0]);
        Assert.Equal($"Run 'contacts {string.Join(' ', args.TakeWhile(a => !a.StartsWith('-')))} --help' for usage.", lines[^1]);
    }
}
