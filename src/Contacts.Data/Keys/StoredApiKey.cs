namespace Contacts.Data.Keys;

public sealed record StoredApiKey(string KeyId, long CompanyId, byte[] SecretHash, bool Revoked);
