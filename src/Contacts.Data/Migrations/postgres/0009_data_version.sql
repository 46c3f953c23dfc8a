-- A per-company data version, bumped by the database itself on every statement that writes a company's contacts, tags
-- or contact-tag links, whoever runs it (other applications, plain SQL, cascades). The service caches exact totals of
-- short search terms against it (docs/search-performance.md): the page statement reads the version in its own snapshot
-- and recounts only when it moved. Values come from one sequence, so a counter row deleted (TRUNCATE) and created
-- again never repeats a version a cache entry could hold.
CREATE SEQUENCE contacts_data_version;
ALTER TABLE company_contact_count ADD COLUMN version bigint NOT NULL DEFAULT nextval('contacts_data_version');

-- UPDATE only: a company without a counter row has no contacts and caches nothing (its version reads as null), and a
-- cascade from a deleted company must not create a row for it again.
CREATE FUNCTION contacts_bump_version() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER AS $$
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    UPDATE company_contact_count SET version = nextval('contacts_data_version');
  ELSIF TG_OP = 'INSERT' THEN
    UPDATE company_contact_count c SET version = nextval('contacts_data_version')
    WHERE c.company_id IN (SELECT company_id FROM new_rows);
  ELSIF TG_OP = 'DELETE' THEN
    UPDATE company_contact_count c SET version = nextval('contacts_data_version')
    WHERE c.company_id IN (SELECT company_id FROM old_rows);
  ELSE
    UPDATE company_contact_count c SET version = nextval('contacts_data_version')
    WHERE c.company_id IN (SELECT company_id FROM new_rows UNION SELECT company_id FROM old_rows);
  END IF;
  RETURN NULL;
END $$;

DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['contact', 'tag', 'contact_tag'] LOOP
    EXECUTE format('CREATE TRIGGER %I AFTER INSERT ON %I REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION contacts_bump_version()', t || '_version_insert', t);
    EXECUTE format('CREATE TRIGGER %I AFTER DELETE ON %I REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION contacts_bump_version()', t || '_version_delete', t);
    EXECUTE format('CREATE TRIGGER %I AFTER UPDATE ON %I REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION contacts_bump_version()', t || '_version_update', t);
    EXECUTE format('CREATE TRIGGER %I AFTER TRUNCATE ON %I FOR EACH STATEMENT EXECUTE FUNCTION contacts_bump_version()', t || '_version_truncate', t);
  END LOOP;
  EXECUTE format('ALTER FUNCTION contacts_bump_version() SET search_path = %I, pg_temp', current_schema());
END
$$;
REVOKE ALL ON FUNCTION contacts_bump_version() FROM PUBLIC;
