namespace Contacts.Cli;

public sealed class CliException(string message, int exitCode = ContactsCli.BadInput) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}
