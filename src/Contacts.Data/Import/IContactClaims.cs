namespace Contacts.Data.Import;

/// <summary>
/// Which line of the file first claimed each contact (matched it, named its id, or was given a generated id): a later
/// line claiming the same contact is refused. One entry per row written, so a long import keeps them out of the heap
/// (the CLI keeps them in its scratch SQLite file, src/Contacts/Import/SeenKeys.cs).
/// </summary>
public interface IContactClaims
{
    /// <summary>Claims the contact for the line; false, with the line that has it, when an earlier line claimed it.</summary>
    bool TryClaim(long contactId, int line, out int firstLine);
}
