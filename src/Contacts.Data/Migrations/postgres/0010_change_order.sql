-- Change positions per company in commit order (docs/sync.md), instead of transaction ids below the snapshot's xmin,
-- which belonged to the whole cluster: one company's open transaction held back every other company's feed, and a
-- failover or a restore could leave cursors pointing into a history that no longer exists.
--
-- A writing transaction gets a key on its first write (contacts_change_key, from a sequence, kept in a transaction-local
-- setting) and stamps the contact_change rows it writes with it; it also writes one contact_change_txn row per company it
-- touches. At commit a deferred constraint trigger takes each of those companies' advisory locks, draws the rows'
-- positions from a sequence and stamps them: the locks are held only from that moment to the end of the commit, so a
-- company's positions follow its commit order, and no writer waits for another's whole transaction. A reader's horizon is
-- the company's newest position it can see: every position below it was drawn by a transaction that had committed (and
-- released the lock) before the newest one drew, so it is visible too; a transaction still open draws above it later.
CREATE SEQUENCE contact_change_key;
CREATE SEQUENCE contact_change_position;

CREATE TABLE contact_change_txn (
    txn_key       bigint NOT NULL,
    company_id    bigint NOT NULL REFERENCES company (id) ON DELETE CASCADE,
    seq           bigint,          -- the position, drawn at commit; null only inside the writing transaction
    committed_at  timestamptz,
    PRIMARY KEY (txn_key, company_id)
);
CREATE UNIQUE INDEX contact_change_txn_order ON contact_change_txn (company_id, seq);
-- The newest commit on a node, for the freshness metric (contacts_change_newest_commit): one index probe, not a scan of
-- the table (61 ms at 1,000,000 rows, sampled every few seconds on every node).
CREATE INDEX contact_change_txn_committed ON contact_change_txn (committed_at);

-- Which history the positions belong to: a new row when a commit finds itself on another cluster (restore into a new
-- initdb), another timeline (a promoted standby, a point-in-time recovery) or another database. A cursor carries the
-- mark of the history it was read in; one from another history answers 410 instead of skipping changes.
CREATE TABLE contact_change_history (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    mark               bigint NOT NULL,
    system_identifier  bigint NOT NULL,
    timeline           integer NOT NULL,
    database_oid       oid NOT NULL,
    started_at         timestamptz NOT NULL DEFAULT now()
);

-- The old positions were transaction ids: each becomes the position of a transaction already committed, and new
-- positions start above every id handed out so far, so a cursor of the old kind still reads every later change.
ALTER TABLE contact_change RENAME COLUMN change_seq TO txn_key;
INSERT INTO contact_change_txn (txn_key, company_id, seq, committed_at)
SELECT DISTINCT txn_key, company_id, txn_key, now() FROM contact_change ORDER BY 1, 2;
SELECT setval('contact_change_position', greatest(pg_current_xact_id()::text::bigint,
    (SELECT coalesce(max(txn_key), 0) FROM contact_change), (SELECT coalesce(max(purged_through), 0) FROM contact_change_purge)) + 1);
SELECT setval('contact_change_key', (SELECT last_value FROM contact_change_position));

-- The key of the running transaction, drawn on its first write.
CREATE FUNCTION contacts_change_key() RETURNS bigint
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  k text := current_setting('contacts.change_key', true);
BEGIN
  IF k IS NULL OR k = '' THEN
    k := nextval('contact_change_key')::text;
    PERFORM set_config('contacts.change_key', k, true);
  END IF;
  RETURN k::bigint;
END $$;

-- Where this commit runs: cluster, timeline (of the WAL being written, current right after a promotion), database.
CREATE FUNCTION contacts_change_identity(OUT system_identifier bigint, OUT timeline integer, OUT database_oid oid)
LANGUAGE sql VOLATILE AS $$
  SELECT (SELECT s.system_identifier FROM pg_control_system() s),
         ('x' || substr(pg_walfile_name(pg_current_wal_insert_lsn()), 1, 8))::bit(32)::integer,
         (SELECT d.oid FROM pg_database d WHERE d.datname = current_database())
$$;

-- Starts a new history when the newest one was written elsewhere. Checked once per session (a failover or a restore
-- always starts new sessions), so a commit pays for it once per connection.
CREATE FUNCTION contacts_change_check_history() RETURNS void
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  here record;
  latest record;
BEGIN
  SELECT * INTO here FROM contacts_change_identity();
  SELECT h.system_identifier, h.timeline, h.database_oid INTO latest FROM contact_change_history h ORDER BY h.id DESC LIMIT 1;
  IF latest IS NULL OR (latest.system_identifier, latest.timeline, latest.database_oid)
      IS DISTINCT FROM (here.system_identifier, here.timeline, here.database_oid) THEN
    INSERT INTO contact_change_history (mark, system_identifier, timeline, database_oid)
    VALUES (floor(random() * 9007199254740991)::bigint + 1, here.system_identifier, here.timeline, here.database_oid);
  END IF;
  PERFORM set_config('contacts.change_history_checked', 'on', false);
END $$;
SELECT contacts_change_check_history();

-- At commit (deferred): lock the companies this transaction wrote, in company order (two transactions that both wrote
-- companies 1 and 2 cannot deadlock), then draw their positions. The first firing stamps every company of the
-- transaction; the others find nothing left.
CREATE FUNCTION contacts_change_commit() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER AS $$
DECLARE
  company bigint;
  stamped integer := 0;
BEGIN
  FOR company IN SELECT x.company_id FROM contact_change_txn x WHERE x.txn_key = NEW.txn_key AND x.seq IS NULL ORDER BY 1 LOOP
    PERFORM pg_advisory_xact_lock(1129270868, hashint8(company));
    stamped := stamped + 1;
  END LOOP;
  IF stamped = 0 THEN RETURN NULL; END IF;
  UPDATE contact_change_txn SET seq = nextval('contact_change_position'), committed_at = clock_timestamp()
  WHERE txn_key = NEW.txn_key AND seq IS NULL;
  IF coalesce(current_setting('contacts.change_history_checked', true), '') <> 'on' THEN
    PERFORM contacts_change_check_history();
  END IF;
  RETURN NULL;
END $$;

CREATE CONSTRAINT TRIGGER contact_change_txn_commit AFTER INSERT ON contact_change_txn
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION contacts_change_commit();

-- The triggers of 0007, writing the transaction's key instead of its id, and its companies into contact_change_txn.
CREATE OR REPLACE FUNCTION contacts_change_contacts() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER AS $$
DECLARE
  k bigint := contacts_change_key();
BEGIN
  IF TG_OP IN ('DELETE', 'UPDATE') THEN
    INSERT INTO contact_change_txn (txn_key, company_id) SELECT DISTINCT k, company_id FROM old_rows ORDER BY 2 ON CONFLICT DO NOTHING;
  END IF;
  IF TG_OP = 'DELETE' THEN
    INSERT INTO contact_change AS c (company_id, contact_id, txn_key, deleted_at)
    SELECT company_id, id, k, now() FROM old_rows ORDER BY 1, 2
    ON CONFLICT (company_id, contact_id) DO UPDATE SET txn_key = excluded.txn_key, deleted_at = excluded.deleted_at
    WHERE c.txn_key <> excluded.txn_key OR c.deleted_at IS NULL;
    RETURN NULL;
  END IF;
  INSERT INTO contact_change_txn (txn_key, company_id) SELECT DISTINCT k, company_id FROM new_rows ORDER BY 2 ON CONFLICT DO NOTHING;
  IF TG_OP = 'UPDATE' THEN
    INSERT INTO contact_change AS c (company_id, contact_id, txn_key, deleted_at)
    SELECT o.company_id, o.id, k, now() FROM old_rows o
    WHERE NOT EXISTS (SELECT 1 FROM new_rows n WHERE n.company_id = o.company_id AND n.id = o.id) ORDER BY 1, 2
    ON CONFLICT (company_id, contact_id) DO UPDATE SET txn_key = excluded.txn_key, deleted_at = excluded.deleted_at
    WHERE c.txn_key <> excluded.txn_key OR c.deleted_at IS NULL;
  END IF;
  INSERT INTO contact_change AS c (company_id, contact_id, txn_key, deleted_at)
  SELECT company_id, id, k, NULL FROM new_rows ORDER BY 1, 2
  ON CONFLICT (company_id, contact_id) DO UPDATE SET txn_key = excluded.txn_key, deleted_at = NULL
  WHERE c.txn_key <> excluded.txn_key OR c.deleted_at IS NOT NULL;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION contacts_change_contact_tags() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER AS $$
DECLARE
  k bigint := contacts_change_key();
BEGIN
  IF TG_OP IN ('DELETE', 'UPDATE') THEN
    INSERT INTO contact_change_txn (txn_key, company_id) SELECT DISTINCT k, company_id FROM old_rows ORDER BY 2 ON CONFLICT DO NOTHING;
    UPDATE contact_change c SET txn_key = k
    FROM (SELECT DISTINCT company_id, contact_id FROM old_rows) t
    WHERE c.company_id = t.company_id AND c.contact_id = t.contact_id AND c.txn_key <> k;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    INSERT INTO contact_change_txn (txn_key, company_id) SELECT DISTINCT k, company_id FROM new_rows ORDER BY 2 ON CONFLICT DO NOTHING;
    UPDATE contact_change c SET txn_key = k
    FROM (SELECT DISTINCT company_id, contact_id FROM new_rows) t
    WHERE c.company_id = t.company_id AND c.contact_id = t.contact_id AND c.txn_key <> k;
  END IF;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION contacts_change_tags() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER AS $$
DECLARE
  k bigint := contacts_change_key();
BEGIN
  INSERT INTO contact_change_txn (txn_key, company_id)
  SELECT DISTINCT k, n.company_id FROM new_rows n JOIN old_rows o ON o.id = n.id
  WHERE (n.name, n.color) IS DISTINCT FROM (o.name, o.color) ORDER BY 2 ON CONFLICT DO NOTHING;
  UPDATE contact_change c SET txn_key = k
  FROM new_rows n JOIN old_rows o ON o.id = n.id
  JOIN contact_tag ct ON ct.tag_id = n.id
  WHERE (n.name, n.color) IS DISTINCT FROM (o.name, o.color)
    AND c.company_id = ct.company_id AND c.contact_id = ct.contact_id AND c.txn_key <> k;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION contacts_change_truncate() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER AS $$
DECLARE
  k bigint := contacts_change_key();
BEGIN
  INSERT INTO contact_change_txn (txn_key, company_id)
  SELECT DISTINCT k, company_id FROM contact_change WHERE deleted_at IS NULL ORDER BY 2 ON CONFLICT DO NOTHING;
  IF TG_TABLE_NAME = 'contact' THEN
    UPDATE contact_change SET txn_key = k, deleted_at = now() WHERE deleted_at IS NULL;
  ELSE
    UPDATE contact_change SET txn_key = k WHERE deleted_at IS NULL;
  END IF;
  RETURN NULL;
END $$;

DROP FUNCTION contacts_change_seq();

-- The purge also forgets transactions none of whose rows are left (a contact changed again moves to a later one),
-- except each company's newest: its position is the company's horizon.
CREATE OR REPLACE FUNCTION contacts_purge_changes(p_before timestamptz) RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER AS $$
DECLARE
  purged bigint;
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

  DELETE FROM contact_change_txn x
  WHERE x.seq < (SELECT max(m.seq) FROM contact_change_txn m WHERE m.company_id = x.company_id)
    AND NOT EXISTS (SELECT 1 FROM contact_change c WHERE c.company_id = x.company_id AND c.txn_key = x.txn_key);
  RETURN purged;
END $$;

-- The newest commit any company's feed can show on this node: for the freshness metric (docs/operations.md), across
-- companies, which row-level security forbids the service's role.
CREATE FUNCTION contacts_change_newest_commit() RETURNS timestamptz
LANGUAGE sql STABLE SECURITY DEFINER AS $$
  SELECT max(committed_at) FROM contact_change_txn
$$;

REVOKE ALL ON FUNCTION contacts_change_key(), contacts_change_identity(), contacts_change_check_history(),
    contacts_change_commit(), contacts_change_newest_commit() FROM PUBLIC;
DO $$
BEGIN
    EXECUTE format('ALTER FUNCTION contacts_change_key() SET search_path = %I, pg_temp', current_schema());
    EXECUTE format('ALTER FUNCTION contacts_change_identity() SET search_path = pg_catalog, pg_temp');
    EXECUTE format('ALTER FUNCTION contacts_change_check_history() SET search_path = %I, pg_temp', current_schema());
    EXECUTE format('ALTER FUNCTION contacts_change_commit() SET search_path = %I, pg_temp', current_schema());
    EXECUTE format('ALTER FUNCTION contacts_change_newest_commit() SET search_path = %I, pg_temp', current_schema());
END
$$;

ALTER TABLE contact_change_txn ENABLE ROW LEVEL SECURITY;
CREATE POLICY contact_change_txn_company ON contact_change_txn
    USING (company_id = contacts_company()) WITH CHECK (company_id = contacts_company());

-- The service role reads positions (its company's, under the policy) and the history (no company data in it).
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'contacts_api') THEN
        GRANT SELECT ON contact_change_txn, contact_change_history TO contacts_api;
        GRANT EXECUTE ON FUNCTION contacts_change_newest_commit() TO contacts_api;
    END IF;
EXCEPTION WHEN insufficient_privilege THEN
    RAISE WARNING 'contacts_api was not granted the change positions (%): see docs/isolation.md', SQLERRM;
END
$$;
