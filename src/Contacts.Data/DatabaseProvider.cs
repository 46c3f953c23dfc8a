namespace Contacts.Data;

public enum DatabaseProvider { Sqlite, Postgres }
