namespace Contacts.Import;

/// <summary>The import's input cannot be opened as one: bad input (exit 2), with a message naming the problem.</summary>
public sealed class ImportSourceException(string message) : Exception(message);
