-- Exact per-company contact counts and per-tag contact counts, kept by the database itself so that rows written by
-- other applications (plain INSERT/UPDATE/DELETE/COPY, cascades) keep them right. The API reads them instead of
-- count(*) for the unfiltered contact list and the tags list. Statement-level triggers with transition tables
-- aggregate each statement's rows, so a bulk import touches each counter row once per statement, not once per row.

CREATE TABLE company_contact_count (
    company_id  bigint PRIMARY KEY REFERENCES company (id) ON DELETE CASCADE,
    contacts    bigint NOT NULL
);

CREATE TABLE tag_contact_count (
    tag_id      bigint PRIMARY KEY,
    company_id  bigint NOT NULL,
    contacts    bigint NOT NULL,
    FOREIGN KEY (company_id, tag_id) REFERENCES tag (company_id, id) ON DELETE CASCADE
);

-- SECURITY DEFINER: whichever role writes contacts (the owner, or an application's role under row-level security),
-- the counters are written with the owner's rights; search_path is pinned below.
CREATE FUNCTION contacts_count_contacts() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER AS $$
BEGIN
  -- One signed delta per company for the whole statement (an UPDATE only counts when it moves a contact to another
  -- company), applied in company order so that concurrent writers lock the counter rows in the same order.
  IF TG_OP = 'INSERT' THEN
    INSERT INTO company_contact_count AS c (company_id, contacts)
    SELECT company_id, count(*) FROM new_rows GROUP BY company_id ORDER BY company_id
    ON CONFLICT (company_id) DO UPDATE SET contacts = c.contacts + excluded.contacts;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO company_contact_count AS c (company_id, contacts)
    SELECT company_id, -count(*) FROM old_rows GROUP BY company_id ORDER BY company_id
    ON CONFLICT (company_id) DO UPDATE SET contacts = c.contacts + excluded.contacts;
  ELSE
    INSERT INTO company_contact_count AS c (company_id, contacts)
    SELECT company_id, sum(n) FROM
      (SELECT company_id, 1 AS n FROM new_rows UNION ALL SELECT company_id, -1 FROM old_rows) u
    GROUP BY company_id HAVING sum(n) <> 0 ORDER BY company_id
    ON CONFLICT (company_id) DO UPDATE SET contacts = c.contacts + excluded.contacts;
  END IF;
  RETURN NULL;
END $$;

-- Tags: increments create the counter row; decrements only update it (the tag may be going away in the same cascade).
CREATE FUNCTION contacts_count_tags() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER AS $$
BEGIN
  IF TG_OP IN ('DELETE', 'UPDATE') THEN
    UPDATE tag_contact_count t SET contacts = t.contacts - o.n
    FROM (SELECT tag_id, count(*) AS n FROM old_rows GROUP BY tag_id) o
    WHERE t.tag_id = o.tag_id;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    INSERT INTO tag_contact_count AS t (tag_id, company_id, contacts)
    SELECT tag_id, company_id, count(*) FROM new_rows GROUP BY tag_id, company_id ORDER BY tag_id
    ON CONFLICT (tag_id) DO UPDATE SET contacts = t.contacts + excluded.contacts;
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER contact_count_insert AFTER INSERT ON contact
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION contacts_count_contacts();
CREATE TRIGGER contact_count_delete AFTER DELETE ON contact
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION contacts_count_contacts();
CREATE TRIGGER contact_count_update AFTER UPDATE ON contact
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION contacts_count_contacts();

CREATE TRIGGER contact_tag_count_insert AFTER INSERT ON contact_tag
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION contacts_count_tags();
CREATE TRIGGER contact_tag_count_delete AFTER DELETE ON contact_tag
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION contacts_count_tags();
CREATE TRIGGER contact_tag_count_update AFTER UPDATE ON contact_tag
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION contacts_count_tags();

-- TRUNCATE skips row triggers: start the counters over.
CREATE FUNCTION contacts_reset_counts() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER AS $$
BEGIN
  IF TG_TABLE_NAME = 'contact' THEN DELETE FROM company_contact_count; END IF;
  DELETE FROM tag_contact_count;
  RETURN NULL;
END $$;
CREATE TRIGGER contact_count_truncate AFTER TRUNCATE ON contact FOR EACH STATEMENT EXECUTE FUNCTION contacts_reset_counts();
CREATE TRIGGER contact_tag_count_truncate AFTER TRUNCATE ON contact_tag FOR EACH STATEMENT EXECUTE FUNCTION contacts_reset_counts();

REVOKE ALL ON FUNCTION contacts_count_contacts(), contacts_count_tags(), contacts_reset_counts() FROM PUBLIC;
DO $$
BEGIN
    EXECUTE format('ALTER FUNCTION contacts_count_contacts() SET search_path = %I, pg_temp', current_schema());
    EXECUTE format('ALTER FUNCTION contacts_count_tags() SET search_path = %I, pg_temp', current_schema());
    EXECUTE format('ALTER FUNCTION contacts_reset_counts() SET search_path = %I, pg_temp', current_schema());
END
$$;

-- Row-level security like the tables they count (docs/isolation.md): a non-owner role reads only the counters of the
-- company named by contacts.company_id. The service role needs
--   GRANT SELECT ON company_contact_count, tag_contact_count TO contacts_api;
ALTER TABLE company_contact_count ENABLE ROW LEVEL SECURITY;
CREATE POLICY company_contact_count_company ON company_contact_count
    USING (company_id = nullif(current_setting('contacts.company_id', true), '')::bigint);
ALTER TABLE tag_contact_count ENABLE ROW LEVEL SECURITY;
CREATE POLICY tag_contact_count_company ON tag_contact_count
    USING (company_id = nullif(current_setting('contacts.company_id', true), '')::bigint);

-- Existing data.
INSERT INTO company_contact_count (company_id, contacts) SELECT company_id, count(*) FROM contact GROUP BY company_id;
INSERT INTO tag_contact_count (tag_id, company_id, contacts) SELECT tag_id, company_id, count(*) FROM contact_tag GROUP BY tag_id, company_id;
