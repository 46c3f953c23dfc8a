namespace Contacts.Data;

/// <summary>Required: company commands run under PostgreSQL's row-level security, or the service does not start. Off: the explicit opt-out.</summary>
public enum RowLevelSecurityMode { Required, Off }
