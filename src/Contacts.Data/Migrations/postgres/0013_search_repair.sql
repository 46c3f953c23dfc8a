-- Search totals repaired from the changes since they were counted (docs/search-performance.md, "Repair"), instead of
-- recounted over the whole company after every write.
--
-- A cached total T was counted at the company's position H. At a later position the exact total is
-- T + (changed contacts that match now) - (changed contacts that matched at H). "Matched at H" needs what each contact
-- looked like at H: the state just before the first transaction after H that changed it. Each writing transaction keeps
-- that before-image here, once per contact and company, for as long as cached totals may need it (about two hours: the
-- cache drops an entry it has not validated for an hour). A contact that was not in the company before the transaction
-- (created, or moved in) is kept as absent.
--
-- Exactness rests on every change of one contact being serialised: a change to the contact row locks it, and tagging
-- or untagging locks it too (below), so the transaction after H that changes a contact first saw (READ COMMITTED: each
-- statement of a trigger takes a fresh snapshot after the lock) exactly the state every earlier position left. What
-- images cannot describe marks the transaction "bulk" for the company, and a total whose changes include one is
-- counted again: more than contacts_search_image_limit() images in one transaction (an import), a writer at
-- REPEATABLE READ or SERIALIZABLE (its snapshot may predate a commit it did not wait for), a tag renamed or deleted
-- (images hold tag ids, matched against today's names), TRUNCATE.
CREATE TABLE contact_search_image (
    company_id    bigint  NOT NULL,
    contact_id    bigint  NOT NULL,
    txn_key       bigint  NOT NULL,
    absent        boolean NOT NULL DEFAULT false,   -- not in this company before the transaction
    text_known    boolean NOT NULL DEFAULT false,   -- search_text and phone_digits below are the before-image
    search_text   text,
    phone_digits  text,
    tags_known    boolean NOT NULL DEFAULT false,   -- tag_ids below is the before-image
    tag_ids       bigint[],
    PRIMARY KEY (company_id, contact_id, txn_key)
);

CREATE TABLE contact_search_bulk (
    txn_key     bigint NOT NULL,
    company_id  bigint NOT NULL,
    PRIMARY KEY (txn_key, company_id)
);

-- Transactions with a key below below_key may have lost their images to the purge: a total that spans one is counted.
CREATE TABLE contact_search_image_purge (
    id         integer PRIMARY KEY CHECK (id = 1),
    below_key  bigint NOT NULL
);
INSERT INTO contact_search_image_purge (id, below_key) VALUES (1, (SELECT last_value + 1 FROM contact_change_key));

-- Images one transaction keeps before it is marked bulk instead.
CREATE FUNCTION contacts_search_image_limit() RETURNS integer LANGUAGE sql IMMUTABLE AS 'SELECT 10000';

-- Whether this statement's images are written (false: the transaction is marked bulk for the companies given).
CREATE FUNCTION contacts_search_image_wanted(k bigint, companies bigint[], rows_now bigint) RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER AS $$
DECLARE
  written bigint := coalesce(nullif(current_setting('contacts.search_images', true), ''), '0')::bigint;
BEGIN
  IF written >= 0 AND current_setting('transaction_isolation') = 'read committed'
     AND written + rows_now <= contacts_search_image_limit() THEN
    PERFORM set_config('contacts.search_images', (written + rows_now)::text, true);
    RETURN true;
  END IF;
  PERFORM set_config('contacts.search_images', '-1', true);   -- bulk from here to the end of the transaction
  INSERT INTO contact_search_bulk (txn_key, company_id) SELECT DISTINCT k, c FROM unnest(companies) c ORDER BY 2
  ON CONFLICT DO NOTHING;
  RETURN false;
END $$;

-- Inserted and updated contacts: the row's own columns before the statement, and its tags as the statement found them.
-- Deletions are kept by the row trigger after this one, before the cascade to contact_tag removes the tags.
CREATE FUNCTION contacts_search_image_contacts() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER AS $$
DECLARE
  k bigint := contacts_change_key();
  n bigint;
BEGIN
  IF TG_OP = 'INSERT' THEN
    SELECT count(*) INTO n FROM new_rows;
    IF NOT contacts_search_image_wanted(k, (SELECT array_agg(DISTINCT company_id) FROM new_rows), n) THEN RETURN NULL; END IF;
    INSERT INTO contact_search_image (company_id, contact_id, txn_key, absent, text_known, tags_known)
    SELECT company_id, id, k, true, true, true FROM new_rows ORDER BY 1, 2
    ON CONFLICT DO NOTHING;
    RETURN NULL;
  END IF;
  -- UPDATE (a DELETE is contacts_search_image_deleting's)
  SELECT count(*) INTO n FROM old_rows;
  IF NOT contacts_search_image_wanted(k,
      (SELECT array_agg(DISTINCT company_id) FROM (SELECT company_id FROM old_rows UNION SELECT company_id FROM new_rows) u), 2 * n) THEN
    RETURN NULL;
  END IF;
  -- moved in from another company (or a changed id): absent before
  INSERT INTO contact_search_image (company_id, contact_id, txn_key, absent, text_known, tags_known)
  SELECT nw.company_id, nw.id, k, true, true, true FROM new_rows nw
  WHERE NOT EXISTS (SELECT 1 FROM old_rows o WHERE o.company_id = nw.company_id AND o.id = nw.id) ORDER BY 1, 2
  ON CONFLICT DO NOTHING;
  INSERT INTO contact_search_image AS i (company_id, contact_id, txn_key, text_known, search_text, phone_digits, tags_known, tag_ids)
  SELECT o.company_id, o.id, k, true, o.search_text, o.phone_digits, true,
         ARRAY(SELECT ct.tag_id FROM contact_tag ct WHERE ct.company_id = o.company_id AND ct.contact_id = o.id)
  FROM old_rows o ORDER BY 1, 2
  ON CONFLICT (company_id, contact_id, txn_key) DO UPDATE
    SET text_known = true, search_text = excluded.search_text, phone_digits = excluded.phone_digits
    WHERE NOT i.text_known;
  RETURN NULL;
END $$;

-- A deleted contact, before its row goes and before the cascade deletes its tags (the cascade's statement triggers fire
-- after the deleting statement's, when the tags are gone).
CREATE FUNCTION contacts_search_image_deleting() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER AS $$
DECLARE
  k bigint := contacts_change_key();
BEGIN
  IF contacts_search_image_wanted(k, ARRAY[OLD.company_id], 1) THEN
    INSERT INTO contact_search_image (company_id, contact_id, txn_key, text_known, search_text, phone_digits, tags_known, tag_ids)
    VALUES (OLD.company_id, OLD.id, k, true, OLD.search_text, OLD.phone_digits, true,
            ARRAY(SELECT ct.tag_id FROM contact_tag ct WHERE ct.company_id = OLD.company_id AND ct.contact_id = OLD.id))
    ON CONFLICT DO NOTHING;
  END IF;
  RETURN OLD;
END $$;

-- Tags of contacts: lock the contacts first, so that two transactions tagging one contact follow each other, then keep
-- the tags before the statement (those seen now, less the statement's new rows, plus its old ones) and the contact's
-- text. The statement's rows come as arrays (transition tables exist only for the event that fired).
CREATE FUNCTION contacts_search_image_tag_rows(k bigint, companies bigint[], contacts bigint[], tags bigint[], added boolean[])
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER AS $$
BEGIN
  IF NOT contacts_search_image_wanted(k, ARRAY(SELECT DISTINCT unnest(companies)),
      (SELECT count(DISTINCT (d.company_id, d.contact_id)) FROM unnest(companies, contacts) d(company_id, contact_id))) THEN
    RETURN;
  END IF;
  PERFORM 1 FROM contact c
  WHERE (c.company_id, c.id) IN (SELECT * FROM unnest(companies, contacts))
  ORDER BY c.company_id, c.id FOR NO KEY UPDATE OF c;
  WITH d AS (
    SELECT * FROM unnest(companies, contacts, tags, added) d(company_id, contact_id, tag_id, added)
  )
  INSERT INTO contact_search_image AS i (company_id, contact_id, txn_key, text_known, search_text, phone_digits, tags_known, tag_ids)
  SELECT a.company_id, a.contact_id, k, c.id IS NOT NULL, c.search_text, c.phone_digits, true,
         ARRAY(SELECT ct.tag_id FROM contact_tag ct WHERE ct.company_id = a.company_id AND ct.contact_id = a.contact_id
               EXCEPT SELECT d.tag_id FROM d WHERE d.company_id = a.company_id AND d.contact_id = a.contact_id AND d.added
               UNION SELECT d.tag_id FROM d WHERE d.company_id = a.company_id AND d.contact_id = a.contact_id AND NOT d.added)
  FROM (SELECT DISTINCT company_id, contact_id FROM d) a
  LEFT JOIN contact c ON c.company_id = a.company_id AND c.id = a.contact_id
  ORDER BY 1, 2
  ON CONFLICT (company_id, contact_id, txn_key) DO UPDATE
    SET tags_known = true, tag_ids = excluded.tag_ids,
        text_known = i.text_known OR excluded.text_known,
        search_text = CASE WHEN i.text_known THEN i.search_text ELSE excluded.search_text END,
        phone_digits = CASE WHEN i.text_known THEN i.phone_digits ELSE excluded.phone_digits END
    WHERE NOT i.tags_known;
END $$;

CREATE FUNCTION contacts_search_image_contact_tags() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM contacts_search_image_tag_rows(contacts_change_key(), array_agg(company_id), array_agg(contact_id), array_agg(tag_id),
        array_agg(true)) FROM new_rows;
  ELSIF TG_OP = 'DELETE' THEN
    PERFORM contacts_search_image_tag_rows(contacts_change_key(), array_agg(company_id), array_agg(contact_id), array_agg(tag_id),
        array_agg(false)) FROM old_rows;
  ELSE
    PERFORM contacts_search_image_tag_rows(contacts_change_key(), array_agg(company_id), array_agg(contact_id), array_agg(tag_id),
        array_agg(added))
    FROM (SELECT company_id, contact_id, tag_id, false AS added FROM old_rows
          UNION ALL SELECT company_id, contact_id, tag_id, true FROM new_rows) u;
  END IF;
  RETURN NULL;
END $$;

-- A tag renamed or deleted changes what its contacts match under today's names: bulk for the company.
CREATE FUNCTION contacts_search_image_tags() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER AS $$
DECLARE
  k bigint := contacts_change_key();
BEGIN
  IF TG_OP = 'UPDATE' THEN
    INSERT INTO contact_change_txn (txn_key, company_id)
    SELECT DISTINCT k, o.company_id FROM old_rows o JOIN new_rows n ON n.id = o.id
    WHERE n.name IS DISTINCT FROM o.name OR n.company_id <> o.company_id ORDER BY 2 ON CONFLICT DO NOTHING;
    INSERT INTO contact_search_bulk (txn_key, company_id)
    SELECT DISTINCT k, o.company_id FROM old_rows o JOIN new_rows n ON n.id = o.id
    WHERE n.name IS DISTINCT FROM o.name OR n.company_id <> o.company_id ORDER BY 2 ON CONFLICT DO NOTHING;
  ELSE
    INSERT INTO contact_change_txn (txn_key, company_id) SELECT DISTINCT k, company_id FROM old_rows ORDER BY 2 ON CONFLICT DO NOTHING;
    INSERT INTO contact_search_bulk (txn_key, company_id) SELECT DISTINCT k, company_id FROM old_rows ORDER BY 2 ON CONFLICT DO NOTHING;
  END IF;
  RETURN NULL;
END $$;

-- TRUNCATE: every company the change feed's trigger recorded for this transaction (it runs first, by name).
CREATE FUNCTION contacts_search_image_truncate() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER AS $$
BEGIN
  INSERT INTO contact_search_bulk (txn_key, company_id)
  SELECT txn_key, company_id FROM contact_change_txn WHERE txn_key = contacts_change_key() ORDER BY 2 ON CONFLICT DO NOTHING;
  RETURN NULL;
END $$;

CREATE TRIGGER contact_search_image_insert AFTER INSERT ON contact
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION contacts_search_image_contacts();
CREATE TRIGGER contact_search_image_delete BEFORE DELETE ON contact
  FOR EACH ROW EXECUTE FUNCTION contacts_search_image_deleting();
CREATE TRIGGER contact_search_image_update AFTER UPDATE ON contact
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION contacts_search_image_contacts();
CREATE TRIGGER contact_search_image_truncate AFTER TRUNCATE ON contact
  FOR EACH STATEMENT EXECUTE FUNCTION contacts_search_image_truncate();
CREATE TRIGGER contact_tag_search_image_insert AFTER INSERT ON contact_tag
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION contacts_search_image_contact_tags();
CREATE TRIGGER contact_tag_search_image_delete AFTER DELETE ON contact_tag
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION contacts_search_image_contact_tags();
CREATE TRIGGER contact_tag_search_image_update AFTER UPDATE ON contact_tag
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION contacts_search_image_contact_tags();
CREATE TRIGGER contact_tag_search_image_truncate AFTER TRUNCATE ON contact_tag
  FOR EACH STATEMENT EXECUTE FUNCTION contacts_search_image_truncate();
CREATE TRIGGER tag_search_image_update AFTER UPDATE ON tag
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION contacts_search_image_tags();
CREATE TRIGGER tag_search_image_delete AFTER DELETE ON tag
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION contacts_search_image_tags();

-- The purge (every Sync:PurgeIntervalMinutes) also forgets images of transactions committed more than two hours ago,
-- and keeps the positions of every transaction whose images it keeps (the repair reads a transaction's position
-- through contact_change_txn).
CREATE OR REPLACE FUNCTION contacts_purge_changes(p_before timestamptz) RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER AS $$
DECLARE
  purged bigint;
  keep_from bigint;
BEGIN
  WITH gone AS (
    DELETE FROM contact_change WHERE deleted_at < p_before RETURNING company_id, txn_key
  ), positions AS (
    SELECT g.company_id, max(x.seq) AS seq FROM gone g
    JOIN contact_change_txn x ON x.txn_key = g.txn_key AND x.company_id = g.company_id GROUP BY g.company_id
  ), horizon AS (
    INSERT INTO contact_change_purge AS h (company_id, purged_through)
    SELECT company_id, seq FROM positions ORDER BY company_id
    ON CONFLICT (company_id) DO UPDATE SET purged_through = greatest(h.purged_through, excluded.purged_through)
    RETURNING 1
  )
  SELECT count(*) INTO purged FROM gone;

  -- Images: kept for every transaction that committed in the last two hours (or has not committed yet: its key is
  -- above every committed one's only if it started later, so the oldest key of the recent ones bounds them all).
  SELECT coalesce(min(x.txn_key), (SELECT last_value + 1 FROM contact_change_key)) INTO keep_from
  FROM contact_change_txn x WHERE x.committed_at >= now() - interval '2 hours';
  keep_from := least(keep_from, coalesce(nullif(current_setting('contacts.change_key', true), '')::bigint, keep_from));
  UPDATE contact_search_image_purge SET below_key = greatest(below_key, keep_from);
  DELETE FROM contact_search_image WHERE txn_key < keep_from;
  DELETE FROM contact_search_bulk WHERE txn_key < keep_from;

  DELETE FROM contact_change_txn x
  WHERE x.seq < (SELECT max(m.seq) FROM contact_change_txn m WHERE m.company_id = x.company_id)
    AND x.txn_key < keep_from
    AND NOT EXISTS (SELECT 1 FROM contact_change c WHERE c.company_id = x.company_id AND c.txn_key = x.txn_key);
  RETURN purged;
END $$;

REVOKE ALL ON FUNCTION contacts_search_image_limit(), contacts_search_image_wanted(bigint, bigint[], bigint), contacts_search_image_contacts(),
    contacts_search_image_deleting(),
    contacts_search_image_tag_rows(bigint, bigint[], bigint[], bigint[], boolean[]),
    contacts_search_image_contact_tags(), contacts_search_image_tags(), contacts_search_image_truncate() FROM PUBLIC;
DO $$
BEGIN
    EXECUTE format('ALTER FUNCTION contacts_search_image_wanted(bigint, bigint[], bigint) SET search_path = %I, pg_temp', current_schema());
    EXECUTE format('ALTER FUNCTION contacts_search_image_contacts() SET search_path = %I, pg_temp', current_schema());
    EXECUTE format('ALTER FUNCTION contacts_search_image_deleting() SET search_path = %I, pg_temp', current_schema());
    EXECUTE format('ALTER FUNCTION contacts_search_image_tag_rows(bigint, bigint[], bigint[], bigint[], boolean[]) SET search_path = %I, pg_temp', current_schema());
    EXECUTE format('ALTER FUNCTION contacts_search_image_contact_tags() SET search_path = %I, pg_temp', current_schema());
    EXECUTE format('ALTER FUNCTION contacts_search_image_tags() SET search_path = %I, pg_temp', current_schema());
    EXECUTE format('ALTER FUNCTION contacts_search_image_truncate() SET search_path = %I, pg_temp', current_schema());
    -- CREATE OR REPLACE above dropped the setting the purge had.
    EXECUTE format('ALTER FUNCTION contacts_purge_changes(timestamptz) SET search_path = %I, pg_temp', current_schema());
END
$$;

ALTER TABLE contact_search_image ENABLE ROW LEVEL SECURITY;
CREATE POLICY contact_search_image_company ON contact_search_image
    USING (company_id = contacts_company()) WITH CHECK (company_id = contacts_company());
ALTER TABLE contact_search_bulk ENABLE ROW LEVEL SECURITY;
CREATE POLICY contact_search_bulk_company ON contact_search_bulk
    USING (company_id = contacts_company()) WITH CHECK (company_id = contacts_company());

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'contacts_api') THEN
        GRANT SELECT ON contact_search_image, contact_search_bulk, contact_search_image_purge TO contacts_api;
    END IF;
EXCEPTION WHEN insufficient_privilege THEN
    RAISE WARNING 'contacts_api was not granted the search images (%): see docs/isolation.md', SQLERRM;
END
$$;
