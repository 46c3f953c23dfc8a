namespace Contacts.Cli;

/// <summary>The file cannot be read as a whole (no usable header, broken CSV): nothing is imported, even with --skip-invalid.</summary>
public sealed class FileUnreadableException() : Exception("the file cannot be read as a whole");
