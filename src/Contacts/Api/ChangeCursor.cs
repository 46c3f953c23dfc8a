using System.Buffers.Binary;
using System.Buffers.Text;
using Contacts.Data.Changes;

namespace Contacts.Api;

/// <summary>
/// The opaque cursor of GET /api/v1/contacts/changes: base64url of a version byte, the kind, the company, the position,
/// the WAL position of the node that answered and the mark of the history the position belongs to. It is bound to its
/// company: another company's cursor reads as malformed, so it tells its holder nothing. It need not be secret or signed:
/// any position of one's own company only reads one's own contacts, a forged WAL position only sends the next poll to
/// the primary, and a forged history mark only earns a 410. The data layer sees only the <see cref="ChangePosition"/>.
/// </summary>
/// <remarks>A cursor from before WAL positions were carried (version 1) reads as <see cref="UnknownWalPosition"/>: only the
/// primary is sure to have it. Versions 1 and 2 carry no history mark (0).</remarks>
public sealed record ChangeCursor(long Company, ChangePosition Position)
{
    public const long UnknownWalPosition = long.MaxValue;

    private const byte Version = 3;
    private const int Length = 2 + 5 * sizeof(long);
    private const int Version2Length = 2 + 4 * sizeof(long);
    private const int Version1Length = 2 + 3 * sizeof(long);

    public string Encode()
    {
        Span<byte> bytes = stackalloc byte[Length];
        bytes[0] = Version;
        bytes[1] = (byte)Position.Kind;
        BinaryPrimitives.WriteInt64BigEndian(bytes[2..], Company);
        BinaryPrimitives.WriteInt64BigEndian(bytes[10..], Position.Seq);
        BinaryPrimitives.WriteInt64BigEndian(bytes[18..], Position.ContactId);
        BinaryPrimitives.WriteInt64BigEndian(bytes[26..], Position.WalPosition);
        BinaryPrimitives.WriteInt64BigEndian(bytes[34..], Position.History);
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
        var kind = (ChangePositionKind)bytes[1];
        var owner = BinaryPrimitives.ReadInt64BigEndian(bytes[2..]);
        var position = new ChangePosition(kind,
            BinaryPrimitives.ReadInt64BigEndian(bytes[10..]), BinaryPrimitives.ReadInt64BigEndian(bytes[18..]),
            version == 1 ? UnknownWalPosition : BinaryPrimitives.ReadInt64BigEndian(bytes[26..]),
            version == Version ? BinaryPrimitives.ReadInt64BigEndian(bytes[34..]) : 0);
        if (kind is not (ChangePositionKind.Walk or ChangePositionKind.Log) || owner != company ||
            position.Seq < 0 || position.ContactId < 0 || position.WalPosition < 0 || position.History < 0 ||
            (version == Version && position.History == 0)) return false;
        cursor = new ChangeCursor(company, position);
        return true;
    }
}
