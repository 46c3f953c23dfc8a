namespace Contacts.Data;

/// <summary>Which rows of a list a request wants: at most Limit, after skipping Offset, in id order.</summary>
public sealed record PageWindow(int Limit, long Offset);
