-- The change feed (GET /api/v1/contacts/changes, docs/sync.md): the latest change of every contact a company has had,
-- kept by triggers so that writes by any application (and foreign-key cascades) are seen, deletions included.
--
-- SQLite has one writer at a time, so a counter bumped inside the writing transaction is commit-ordered: a change a
-- reader cannot see yet will get a number above everything it can see. change_seq is that counter's value at the
-- contact's last change. One row per contact, not one per change (see the PostgreSQL script 0007).
CREATE TABLE contact_change_counter (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    seq  INTEGER NOT NULL
);
INSERT INTO contact_change_counter (id, seq) VALUES (1, 0);

CREATE TABLE contact_change (
    company_id  INTEGER NOT NULL REFERENCES company (id) ON DELETE CASCADE,
    contact_id  INTEGER NOT NULL,
    change_seq  INTEGER NOT NULL,
    deleted_at  TEXT,               -- null while the contact lives in this company; a tombstone otherwise
    PRIMARY KEY (company_id, contact_id)
) WITHOUT ROWID;
CREATE INDEX contact_change_feed ON contact_change (company_id, change_seq, contact_id);
CREATE INDEX contact_change_tombstones ON contact_change (deleted_at) WHERE deleted_at IS NOT NULL;

-- Per company, the newest change_seq of a tombstone purged after Sync:HistoryDays (see 0007 for PostgreSQL).
CREATE TABLE contact_change_purge (
    company_id      INTEGER PRIMARY KEY REFERENCES company (id) ON DELETE CASCADE,
    purged_through  INTEGER NOT NULL
);

CREATE TRIGGER contact_change_insert AFTER INSERT ON contact BEGIN
  UPDATE contact_change_counter SET seq = seq + 1;
  INSERT INTO contact_change (company_id, contact_id, change_seq, deleted_at)
  VALUES (NEW.company_id, NEW.id, (SELECT seq FROM contact_change_counter), NULL)
  ON CONFLICT (company_id, contact_id) DO UPDATE SET change_seq = excluded.change_seq, deleted_at = NULL;
END;

CREATE TRIGGER contact_change_delete AFTER DELETE ON contact BEGIN
  UPDATE contact_change_counter SET seq = seq + 1;
  INSERT INTO contact_change (company_id, contact_id, change_seq, deleted_at)
  VALUES (OLD.company_id, OLD.id, (SELECT seq FROM contact_change_counter), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
  ON CONFLICT (company_id, contact_id) DO UPDATE SET change_seq = excluded.change_seq, deleted_at = excluded.deleted_at;
END;

-- A move to another company (or a changed id) is a tombstone for the old key; the new key is live.
CREATE TRIGGER contact_change_update AFTER UPDATE ON contact BEGIN
  UPDATE contact_change_counter SET seq = seq + 1;
  INSERT INTO contact_change (company_id, contact_id, change_seq, deleted_at)
  SELECT OLD.company_id, OLD.id, seq, strftime('%Y-%m-%dT%H:%M:%fZ', 'now') FROM contact_change_counter
  WHERE OLD.company_id <> NEW.company_id OR OLD.id <> NEW.id
  ON CONFLICT (company_id, contact_id) DO UPDATE SET change_seq = excluded.change_seq, deleted_at = excluded.deleted_at;
  INSERT INTO contact_change (company_id, contact_id, change_seq, deleted_at)
  VALUES (NEW.company_id, NEW.id, (SELECT seq FROM contact_change_counter), NULL)
  ON CONFLICT (company_id, contact_id) DO UPDATE SET change_seq = excluded.change_seq, deleted_at = NULL;
END;

-- Tagging or untagging changes the contact. Only existing rows are touched, so the cascade of a contact's own deletion
-- cannot bring it back to life.
CREATE TRIGGER contact_tag_change_insert AFTER INSERT ON contact_tag BEGIN
  UPDATE contact_change_counter SET seq = seq + 1;
  UPDATE contact_change SET change_seq = (SELECT seq FROM contact_change_counter)
  WHERE company_id = NEW.company_id AND contact_id = NEW.contact_id;
END;
CREATE TRIGGER contact_tag_change_delete AFTER DELETE ON contact_tag BEGIN
  UPDATE contact_change_counter SET seq = seq + 1;
  UPDATE contact_change SET change_seq = (SELECT seq FROM contact_change_counter)
  WHERE company_id = OLD.company_id AND contact_id = OLD.contact_id;
END;
CREATE TRIGGER contact_tag_change_update AFTER UPDATE ON contact_tag BEGIN
  UPDATE contact_change_counter SET seq = seq + 1;
  UPDATE contact_change SET change_seq = (SELECT seq FROM contact_change_counter)
  WHERE (company_id = OLD.company_id AND contact_id = OLD.contact_id) OR (company_id = NEW.company_id AND contact_id = NEW.contact_id);
END;

-- A tag renamed or recoloured changes every contact that shows it: each comes again in the feed (no separate tag event).
-- A deleted tag cascades to contact_tag, whose trigger above does the same.
CREATE TRIGGER tag_change_update AFTER UPDATE OF name, color ON tag
WHEN OLD.name IS NOT NEW.name OR OLD.color IS NOT NEW.color BEGIN
  UPDATE contact_change_counter SET seq = seq + 1;
  UPDATE contact_change SET change_seq = (SELECT seq FROM contact_change_counter)
  WHERE company_id = NEW.company_id AND contact_id IN (SELECT contact_id FROM contact_tag WHERE tag_id = NEW.id);
END;

-- Existing data: every contact live.
UPDATE contact_change_counter SET seq = 1;
INSERT INTO contact_change (company_id, contact_id, change_seq, deleted_at) SELECT company_id, id, 1, NULL FROM contact;
