namespace Contacts.Data.Changes;

/// <summary>Walk: the first pass over the live contacts; Log: the changes after a position. The values are part of the
/// cursor the API encodes: never renumber them.</summary>
public enum ChangePositionKind : byte { Walk = 1, Log = 2 }
