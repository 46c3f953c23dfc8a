-- 0010 re-created four SECURITY DEFINER trigger functions and contacts_purge_changes with CREATE OR REPLACE, which
-- drops the search_path 0007 had pinned on them (0004 says so, and re-pins its own). A definer function resolving names
-- through its caller's search_path runs the owner's rights on whatever the caller put first on it (a temporary table
-- named contact_change, say). Pinned again; SchemaSecurityCatalogTests reads every definer function's settings.
DO $$
BEGIN
    EXECUTE format('ALTER FUNCTION contacts_change_contacts() SET search_path = %I, pg_temp', current_schema());
    EXECUTE format('ALTER FUNCTION contacts_change_contact_tags() SET search_path = %I, pg_temp', current_schema());
    EXECUTE format('ALTER FUNCTION contacts_change_tags() SET search_path = %I, pg_temp', current_schema());
    EXECUTE format('ALTER FUNCTION contacts_change_truncate() SET search_path = %I, pg_temp', current_schema());
    EXECUTE format('ALTER FUNCTION contacts_purge_changes(timestamptz) SET search_path = %I, pg_temp', current_schema());
END
$$;
