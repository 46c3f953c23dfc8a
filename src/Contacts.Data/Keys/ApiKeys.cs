using System.Security.Cryptography;
using System.Text;

namespace Contacts.Data.Keys;

/// <summary>
/// API key format: "ck_" + 12 hex key id + "_" + 64 hex secret. The prefix lets secret scanners and people
/// recognise a key; the key id is not secret and names the key in listings and revocation; only the
/// SHA-256 of the whole key is stored.
/// </summary>
public static class ApiKeys
{
    public const string Prefix = "ck_";
    private const int KeyIdLength = 12;
    private const int SecretLength = 64;
    public const int TokenLength = 3 + KeyIdLength + 1 + SecretLength;

    public static (string KeyId, string Token) Generate()
    {
        var keyId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(KeyIdLength / 2));
        var secret = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(SecretLength / 2));
        return (keyId, $"{Prefix}{keyId}_{secret}");
    }

    public static byte[] Hash(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));

    /// <summary>Extracts the key id from a well-formed token; false for anything else (no database lookup then).</summary>
    public static bool TryParse(string token, out string keyId)
    {
        keyId = "";
        if (token.Length != TokenLength || !token.StartsWith(Prefix, StringComparison.Ordinal) || token[Prefix.Length + KeyIdLength] != '_')
            return false;
        for (var i = Prefix.Length; i < token.Length; i++)
        {
            if (i == Prefix.Length + KeyIdLength) continue;
            if (!char.IsAsciiHexDigitLower(token[i])) return false;
        }
        keyId = token.Substring(Prefix.Length, KeyIdLength);
        return true;
    }

    public static bool Matches(string token, byte[] storedHash) =>
        CryptographicOperations.FixedTimeEquals(Hash(token), storedHash);
}
