namespace Contacts.Tests.Infrastructure;

/// <summary>Files of <see cref="PostgresServer.DumpAsync"/>: the cluster's roles as SQL, and one database in pg_dump's custom format.</summary>
public sealed record PostgresDump(string RolesFile, string DatabaseFile);
