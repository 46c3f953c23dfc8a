using System.Buffers.Binary;
using System.Buffers.Text;

namespace Contacts.Data.Changes;

/// <summary>Where a change feed client is. Walk: the first pass over the live contacts (ids after ContactId), whose
/// changes after position Seq follow. Log: every change up to (Seq, ContactId) has been sent.</summary>
public enum ChangeCursorKind : byte { Walk = 1, Log = 2 }

/// <summary>
/// The opaque cursor of GET /api/v1/contacts/changes: base64url of a version byte, the kind, the company, the position,
/// the WAL position of the node that answered and the mark of the history the position belongs to. It is bound to its
/// company: another company's cursor reads as malformed, so it tells its holder nothing. It need not be secret or signed:
/// any position of one's own company only reads one's own contacts, a forged WAL position only sends the next poll to
/// the primary, and a forged history mark only earns a 410.
/// </summary>
/// <param name="WalPosition">PostgreSQL: the LSN the answering node had replayed (or written) when it read the page; the
/// next poll goes to a node that has replayed it (docs/scale-out.md). 0 on SQLite. A cursor from before positions were
/// carried (version 1) reads as <see cref="UnknownWalPosition"/>: only the primary is sure to have it.</param>
/// <param name="History">The mark of the history (contact_change_history) the position was read in: a cursor from
/// another history (a promoted standby, a restore) answers 410. 0 for cursors issued before marks (versions 1 and 2):
/// valid only while the database is still in its first history.</param>
public sealed record ChangeCursor(long Company, ChangeCursorKind Kind, long Seq, long ContactId, long WalPosition, long History)
{
    public const long UnknownWalPosition = long.MaxValue;

    /// <summary>ContactId of a log cursor that has sent every change at its position (a short page's end).</summary>
    public const long AllOfPosition = long.MaxValue;

    private const byte Version = 3;
    private const int Length = 2 + 5 * sizeof(long);
    private const int Version2Length = 2 + 4 * sizeof(long);
    private const int Version1Length = 2 + 3 * sizeof(long);

    public string Encode()
    {
        Span<byte> bytes = stackalloc byte[Length];
        bytes[0] = Version;
        bytes[1] = (byte)Kind;
        BinaryPrimitives.WriteInt64BigEndian(bytes[2..], Company);
        BinaryPrimitives.WriteInt64BigEndian(bytes[10..], Seq);
        BinaryPrimitives.WriteInt64BigEndian(bytes[18..], ContactId);
        BinaryPrimitives.WriteInt64BigEndian(bytes[26..], WalPosition);
        BinaryPrimitives.WriteInt64BigEndian(bytes[34..], History);
        return Base64Url.EncodeToString(bytes);
    }

    /// <summary>False for anything this server did not issue to this company.</summary>
    public static bool TryDecode(string? text, long company, out ChangeCursor? cursor)
    {
        cursor = null;
        Span<byte> bytes = stackalloc byte[Length + 3];
        if (text is null || text.Length > 80 || !Base64Url.IsValid(text) ||
            !Base64Url.TryDecodeFromChars(text, bytes, out var written)) return false;
        var version = bytes[0];
        if (!(version == Version && written == Length) && !(version == 2 && written == Version2Length) &&
            !(version == 1 && written == Version1Length)) return false;
        var kind = (ChangeCursorKind)bytes[1];
        var decoded = new ChangeCursor(BinaryPrimitives.ReadInt64BigEndian(bytes[2..]), kind,
            BinaryPrimitives.ReadInt64BigEndian(bytes[10..]), BinaryPrimitives.ReadInt64BigEndian(bytes[18..]),
            version == 1 ? UnknownWalPosition : BinaryPrimitives.ReadInt64BigEndian(bytes[26..]),
            version == Version ? BinaryPrimitives.ReadInt64BigEndian(bytes[34..]) : 0);
        if (kind is not (ChangeCursorKind.Walk or ChangeCursorKind.Log) || decoded.Company != company ||
            decoded.Seq < 0 || decoded.ContactId < 0 || decoded.WalPosition < 0 || decoded.History < 0 ||
            (version == Version && decoded.History == 0)) return false;
        cursor = decoded;
        return true;
    }
}
