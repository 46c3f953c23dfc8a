namespace Contacts.Data;

/// <summary>Settings that cannot be read or break their rule; the message names each one, on one line.</summary>
public sealed class SettingsException : InvalidOperationException
{
    public SettingsException(IEnumerable<string> problems) : base(string.Join(" ", problems))
    {
    }

    public SettingsException()
    {
    }

    public SettingsException(string message) : base(message)
    {
    }

    public SettingsException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
