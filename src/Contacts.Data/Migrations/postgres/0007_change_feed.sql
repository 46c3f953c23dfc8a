-- The change feed (GET /api/v1/contacts/changes, docs/sync.md): the latest change of every contact a company has had,
-- kept by triggers so that writes by any application (plain SQL, COPY, cascades) are seen, deletions included.
--
-- change_seq is the 64-bit id of the transaction that last changed the contact (pg_current_xact_id()). A reader returns
-- only rows whose change_seq is below its snapshot's xmin: every transaction below xmin has ended, so a later commit can
-- never add a row behind a cursor there (a transaction still open when a client polls has an id at or above that xmin).
-- One row per contact, not one per change: a walk returns each contact at most once per window, in its current state.
CREATE TABLE contact_change (
    company_id  bigint      NOT NULL REFERENCES company (id) ON DELETE CASCADE,
    contact_id  bigint      NOT NULL,
    change_seq  bigint      NOT NULL,
    deleted_at  timestamptz,           -- null while the contact lives in this company; a tombstone otherwise
    PRIMARY KEY (company_id, contact_id)
);
CREATE INDEX contact_change_feed ON contact_change (company_id, change_seq, contact_id);
CREATE INDEX contact_change_tombstones ON contact_change (deleted_at) WHERE deleted_at IS NOT NULL;

-- Per company, the newest change_seq of a tombstone purged after Sync:HistoryDays: a cursor at or below it may have
-- missed a deletion, so it is refused (410) and the client starts again.
CREATE TABLE contact_change_purge (
    company_id      bigint PRIMARY KEY REFERENCES company (id) ON DELETE CASCADE,
    purged_through  bigint NOT NULL
);

CREATE FUNCTION contacts_change_seq() RETURNS bigint
LANGUAGE sql VOLATILE AS $$ SELECT pg_current_xact_id()::text::bigint $$;

-- Statement-level like the counters (0002): a bulk COPY writes the rows of one statement in one pass. A key that leaves
-- (delete, a move to another company, a changed id) becomes a tombstone; every key present after the statement is live.
-- Rows already written by this transaction are not written again (WHERE ... change_seq <> excluded.change_seq ...).
CREATE FUNCTION contacts_change_contacts() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER AS $$
DECLARE
  seq bigint := contacts_change_seq();
BEGIN
  IF TG_OP = 'DELETE' THEN
    INSERT INTO contact_change AS c (company_id, contact_id, change_seq, deleted_at)
    SELECT company_id, id, seq, now() FROM old_rows ORDER BY 1, 2
    ON CONFLICT (company_id, contact_id) DO UPDATE SET change_seq = excluded.change_seq, deleted_at = excluded.deleted_at
    WHERE c.change_seq <> excluded.change_seq OR c.deleted_at IS NULL;
    RETURN NULL;
  END IF;
  IF TG_OP = 'UPDATE' THEN
    INSERT INTO contact_change AS c (company_id, contact_id, change_seq, deleted_at)
    SELECT o.company_id, o.id, seq, now() FROM old_rows o
    WHERE NOT EXISTS (SELECT 1 FROM new_rows n WHERE n.company_id = o.company_id AND n.id = o.id) ORDER BY 1, 2
    ON CONFLICT (company_id, contact_id) DO UPDATE SET change_seq = excluded.change_seq, deleted_at = excluded.deleted_at
    WHERE c.change_seq <> excluded.change_seq OR c.deleted_at IS NULL;
  END IF;
  INSERT INTO contact_change AS c (company_id, contact_id, change_seq, deleted_at)
  SELECT company_id, id, seq, NULL FROM new_rows ORDER BY 1, 2
  ON CONFLICT (company_id, contact_id) DO UPDATE SET change_seq = excluded.change_seq, deleted_at = NULL
  WHERE c.change_seq <> excluded.change_seq OR c.deleted_at IS NOT NULL;
  RETURN NULL;
END $$;

-- A contact's tags are part of it: tagging or untagging changes the contact. Only existing rows are touched, so the
-- cascade of a contact's own deletion cannot bring it back to life.
CREATE FUNCTION contacts_change_contact_tags() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER AS $$
DECLARE
  seq bigint := contacts_change_seq();
BEGIN
  IF TG_OP IN ('DELETE', 'UPDATE') THEN
    UPDATE contact_change c SET change_seq = seq
    FROM (SELECT DISTINCT company_id, contact_id FROM old_rows) t
    WHERE c.company_id = t.company_id AND c.contact_id = t.contact_id AND c.change_seq <> seq;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    UPDATE contact_change c SET change_seq = seq
    FROM (SELECT DISTINCT company_id, contact_id FROM new_rows) t
    WHERE c.company_id = t.company_id AND c.contact_id = t.contact_id AND c.change_seq <> seq;
  END IF;
  RETURN NULL;
END $$;

-- A tag renamed or recoloured changes every contact that shows it: each comes again in the feed (no separate tag event).
-- A deleted tag cascades to contact_tag, whose trigger above does the same.
CREATE FUNCTION contacts_change_tags() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER AS $$
DECLARE
  seq bigint := contacts_change_seq();
BEGIN
  UPDATE contact_change c SET change_seq = seq
  FROM new_rows n JOIN old_rows o ON o.id = n.id
  JOIN contact_tag ct ON ct.tag_id = n.id
  WHERE (n.name, n.color) IS DISTINCT FROM (o.name, o.color)
    AND c.company_id = ct.company_id AND c.contact_id = ct.contact_id AND c.change_seq <> seq;
  RETURN NULL;
END $$;

-- TRUNCATE skips row and transition-table triggers: every live contact becomes a tombstone (contact), or comes again
-- without the tags it lost (contact_tag).
CREATE FUNCTION contacts_change_truncate() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER AS $$
BEGIN
  IF TG_TABLE_NAME = 'contact' THEN
    UPDATE contact_change SET change_seq = contacts_change_seq(), deleted_at = now() WHERE deleted_at IS NULL;
  ELSE
    UPDATE contact_change SET change_seq = contacts_change_seq() WHERE deleted_at IS NULL;
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER contact_change_insert AFTER INSERT ON contact
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION contacts_change_contacts();
CREATE TRIGGER contact_change_delete AFTER DELETE ON contact
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION contacts_change_contacts();
CREATE TRIGGER contact_change_update AFTER UPDATE ON contact
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION contacts_change_contacts();
CREATE TRIGGER contact_change_truncate AFTER TRUNCATE ON contact
  FOR EACH STATEMENT EXECUTE FUNCTION contacts_change_truncate();

CREATE TRIGGER contact_tag_change_insert AFTER INSERT ON contact_tag
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION contacts_change_contact_tags();
CREATE TRIGGER contact_tag_change_delete AFTER DELETE ON contact_tag
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION contacts_change_contact_tags();
CREATE TRIGGER contact_tag_change_update AFTER UPDATE ON contact_tag
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION contacts_change_contact_tags();
CREATE TRIGGER contact_tag_change_truncate AFTER TRUNCATE ON contact_tag
  FOR EACH STATEMENT EXECUTE FUNCTION contacts_change_truncate();

CREATE TRIGGER tag_change_update AFTER UPDATE ON tag
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION contacts_change_tags();

-- The purge runs across companies from the service's own role, which row-level security confines to one company:
-- the one narrow way to delete old tombstones (like contacts_touch_keys in 0003).
CREATE FUNCTION contacts_purge_changes(p_before timestamptz) RETURNS bigint
LANGUAGE sql VOLATILE SECURITY DEFINER AS $$
  WITH purged AS (
    DELETE FROM contact_change WHERE deleted_at < p_before RETURNING company_id, change_seq
  ), horizon AS (
    INSERT INTO contact_change_purge AS h (company_id, purged_through)
    SELECT company_id, max(change_seq) FROM purged GROUP BY company_id ORDER BY company_id
    ON CONFLICT (company_id) DO UPDATE SET purged_through = greatest(h.purged_through, excluded.purged_through)
    RETURNING 1
  )
  SELECT count(*) FROM purged
$$;

REVOKE ALL ON FUNCTION contacts_change_contacts(), contacts_change_contact_tags(), contacts_change_tags(),
    contacts_change_truncate(), contacts_purge_changes(timestamptz) FROM PUBLIC;
DO $$
BEGIN
    EXECUTE format('ALTER FUNCTION contacts_change_contacts() SET search_path = %I, pg_temp', current_schema());
    EXECUTE format('ALTER FUNCTION contacts_change_contact_tags() SET search_path = %I, pg_temp', current_schema());
    EXECUTE format('ALTER FUNCTION contacts_change_tags() SET search_path = %I, pg_temp', current_schema());
    EXECUTE format('ALTER FUNCTION contacts_change_truncate() SET search_path = %I, pg_temp', current_schema());
    EXECUTE format('ALTER FUNCTION contacts_purge_changes(timestamptz) SET search_path = %I, pg_temp', current_schema());
END
$$;

-- Row-level security like the other tenant tables. The service role needs
--   GRANT SELECT ON contact_change, contact_change_purge TO contacts_api;
--   GRANT EXECUTE ON FUNCTION contacts_purge_changes(timestamptz) TO contacts_api;
ALTER TABLE contact_change ENABLE ROW LEVEL SECURITY;
CREATE POLICY contact_change_company ON contact_change
    USING (company_id = contacts_company()) WITH CHECK (company_id = contacts_company());
ALTER TABLE contact_change_purge ENABLE ROW LEVEL SECURITY;
CREATE POLICY contact_change_purge_company ON contact_change_purge
    USING (company_id = contacts_company()) WITH CHECK (company_id = contacts_company());

-- Existing data: every contact live, changed by this migration's transaction.
INSERT INTO contact_change (company_id, contact_id, change_seq, deleted_at)
SELECT company_id, id, contacts_change_seq(), NULL FROM contact;
