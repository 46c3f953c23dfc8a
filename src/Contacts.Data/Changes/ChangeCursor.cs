using System.Buffers.Binary;
using System.Buffers.Text;

namespace Contacts.Data.Changes;

/// <summary>Where a change feed client is. Walk: the first pass over the live contacts (ids after ContactId), whose
/// changes since Seq follow. Log: every change up to (Seq, ContactId) has been sent.</summary>
public enum ChangeCursorKind : byte { Walk = 1, Log = 2 }

/// <summary>
/// The opaque cursor of GET /api/v1/contacts/changes: base64url of a version byte, the kind, the company and the
/// position. It is bound to its company: another company's cursor reads as malformed, so it tells its holder nothing.
/// It need not be secret or signed: any position of one's own company only reads one's own contacts.
/// </summary>
public sealed record ChangeCursor(long Company, ChangeCursorKind Kind, long Seq, long ContactId)
{
    private const byte Version = 1;
    private const int Length = 2 + 3 * sizeof(long);

    public string Encode()
    {
        Span<byte> bytes = stackalloc byte[Length];
        bytes[0] = Version;
        bytes[1] = (byte)Kind;
        BinaryPrimitives.WriteInt64BigEndian(bytes[2..], Company);
        BinaryPrimitives.WriteInt64BigEndian(bytes[10..], Seq);
        BinaryPrimitives.WriteInt64BigEndian(bytes[18..], ContactId);
        return Base64Url.EncodeToString(bytes);
    }

    /// <summary>False for anything this server did not issue to this company.</summary>
    public static bool TryDecode(string? text, long company, out ChangeCursor? cursor)
    {
        cursor = null;
        Span<byte> bytes = stackalloc byte[Length + 3];
        if (text is null || text.Length > 64 || !Base64Url.IsValid(text) ||
            !Base64Url.TryDecodeFromChars(text, bytes, out var written) || written != Length) return false;
        var kind = (ChangeCursorKind)bytes[1];
        var decoded = new ChangeCursor(BinaryPrimitives.ReadInt64BigEndian(bytes[2..]), kind,
            BinaryPrimitives.ReadInt64BigEndian(bytes[10..]), BinaryPrimitives.ReadInt64BigEndian(bytes[18..]));
        if (bytes[0] != Version || kind is not (ChangeCursorKind.Walk or ChangeCursorKind.Log) || decoded.Company != company ||
            decoded.Seq < 0 || decoded.ContactId < 0) return false;
        cursor = decoded;
        return true;
    }
}
