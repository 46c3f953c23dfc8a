-- Row-level security on every tenant-owned table: defence in depth beneath the company_id filter that every query
-- of the service already carries. See docs/isolation.md for the roles and grants an operator creates.
--
-- A role that is not the tables' owner sees and writes only the rows of the company named by the session or
-- transaction setting contacts.company_id (the service sets it per request); with no setting it sees nothing.
-- The owner (migrations, admin CLI) is not subject to the policies: no FORCE ROW LEVEL SECURITY, on purpose.

-- NULL when unset or reset (''); inlined into the policies, so company_id index scans still apply.
CREATE FUNCTION contacts_company() RETURNS bigint
LANGUAGE sql STABLE PARALLEL SAFE
AS $$ SELECT nullif(current_setting('contacts.company_id', true), '')::bigint $$;

ALTER TABLE contact ENABLE ROW LEVEL SECURITY;
CREATE POLICY contact_company ON contact
    USING (company_id = contacts_company()) WITH CHECK (company_id = contacts_company());

ALTER TABLE tag ENABLE ROW LEVEL SECURITY;
CREATE POLICY tag_company ON tag
    USING (company_id = contacts_company()) WITH CHECK (company_id = contacts_company());

ALTER TABLE contact_tag ENABLE ROW LEVEL SECURITY;
CREATE POLICY contact_tag_company ON contact_tag
    USING (company_id = contacts_company()) WITH CHECK (company_id = contacts_company());

ALTER TABLE api_key ENABLE ROW LEVEL SECURITY;
CREATE POLICY api_key_company ON api_key
    USING (company_id = contacts_company()) WITH CHECK (company_id = contacts_company());

-- Authentication runs before the company is known: the one narrow way to read a key by its id.
CREATE FUNCTION contacts_find_key(p_key_id text)
RETURNS TABLE (key_id text, company_id bigint, secret_hash bytea, revoked boolean)
LANGUAGE sql STABLE SECURITY DEFINER
AS $$ SELECT k.key_id, k.company_id, k.secret_hash, k.revoked_at IS NOT NULL FROM api_key k WHERE k.key_id = p_key_id $$;

-- The batched last_used_at write covers keys of many companies at once.
CREATE FUNCTION contacts_touch_keys(p_key_ids text[], p_used_at timestamptz) RETURNS void
LANGUAGE sql VOLATILE SECURITY DEFINER
AS $$ UPDATE api_key SET last_used_at = p_used_at WHERE key_id = ANY (p_key_ids) $$;

-- SECURITY DEFINER functions run with the owner's rights: only roles granted EXECUTE may call them, and they resolve
-- names in this schema only (pg_temp last, so a caller's temporary table cannot stand in for api_key).
REVOKE ALL ON FUNCTION contacts_find_key(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION contacts_touch_keys(text[], timestamptz) FROM PUBLIC;
DO $$
BEGIN
    EXECUTE format('ALTER FUNCTION contacts_find_key(text) SET search_path = %I, pg_temp', current_schema());
    EXECUTE format('ALTER FUNCTION contacts_touch_keys(text[], timestamptz) SET search_path = %I, pg_temp', current_schema());
END
$$;
