-- migrator: foreign_keys off
-- Contact ids are never reused (docs/schema.md). Without AUTOINCREMENT SQLite gives a new row max(id) + 1, so after the
-- contact with the highest id was deleted the next contact took its id: the change feed sent only an upsert for it
-- (the tombstone was overwritten), a delete made without foreign keys (the sqlite3 shell's default) left the old
-- contact's contact_tag rows for the new one to show, and re-importing an earlier export overwrote the new contact.
--
-- SQLite cannot add AUTOINCREMENT to a table, so contact is rebuilt by the 12 steps of
-- https://www.sqlite.org/lang_altertable.html#otheralter, with every id, column, default, constraint, index and trigger
-- of 0001-0007 kept. The marker on the first line makes the Migrator turn foreign keys off before this transaction
-- (dropping contact with them on would cascade to contact_tag; the pragma is a no-op inside a transaction) and run
-- PRAGMA foreign_key_check before committing. The triggers are created after the copy, so the copy fires none: the
-- counters and the change feed (contact_change, contact_change_counter) stay as they are, and the FTS index
-- contact_search (external content, keyed by rowid = id) stays valid because the ids do.
CREATE TABLE contact_new (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    company_id        INTEGER NOT NULL REFERENCES company (id),
    first_name        TEXT,
    last_name         TEXT,
    email             TEXT,
    phone_number      TEXT,
    phone_number_lid  TEXT,
    profile_picture   TEXT,
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL,
    search_text       TEXT NOT NULL DEFAULT '',
    phone_digits      TEXT NOT NULL DEFAULT '',
    UNIQUE (company_id, id)
);
INSERT INTO contact_new (id, company_id, first_name, last_name, email, phone_number, phone_number_lid, profile_picture,
                         created_at, updated_at, search_text, phone_digits)
SELECT id, company_id, first_name, last_name, email, phone_number, phone_number_lid, profile_picture,
       created_at, updated_at, search_text, phone_digits
FROM contact ORDER BY id;

-- Drops contact's indexes and triggers with it; contact_tag's foreign keys name contact and follow the rename.
DROP TABLE contact;
ALTER TABLE contact_new RENAME TO contact;

-- The next id is above every id in use, and above every id the change feed still holds a tombstone for (deleted since
-- 0006 and not yet purged). Ids deleted before that, above the current maximum, cannot be known: each of them may be
-- given once more, to one of the next contacts, and never again after.
INSERT INTO sqlite_sequence (name, seq) SELECT 'contact', 0 WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'contact');
UPDATE sqlite_sequence
SET seq = max(seq, (SELECT coalesce(max(id), 0) FROM contact), (SELECT coalesce(max(contact_id), 0) FROM contact_change))
WHERE name = 'contact';

-- 0001
CREATE INDEX contact_company_phone ON contact (company_id, phone_number);
CREATE INDEX contact_company_email ON contact (company_id, email);
-- 0003
CREATE INDEX contact_company_search ON contact (company_id, id, search_text, phone_digits);

-- 0002
CREATE TRIGGER contact_count_insert AFTER INSERT ON contact BEGIN
  INSERT INTO company_contact_count (company_id, contacts) VALUES (NEW.company_id, 1)
  ON CONFLICT (company_id) DO UPDATE SET contacts = contacts + 1;
END;
CREATE TRIGGER contact_count_delete AFTER DELETE ON contact BEGIN
  UPDATE company_contact_count SET contacts = contacts - 1 WHERE company_id = OLD.company_id;
END;
CREATE TRIGGER contact_count_move AFTER UPDATE OF company_id ON contact WHEN OLD.company_id <> NEW.company_id BEGIN
  UPDATE company_contact_count SET contacts = contacts - 1 WHERE company_id = OLD.company_id;
  INSERT INTO company_contact_count (company_id, contacts) VALUES (NEW.company_id, 1)
  ON CONFLICT (company_id) DO UPDATE SET contacts = contacts + 1;
END;

-- 0004
CREATE TRIGGER contact_search_insert AFTER INSERT ON contact BEGIN
    INSERT INTO contact_search (rowid, search_text, phone_digits) VALUES (new.id, new.search_text, new.phone_digits);
END;
CREATE TRIGGER contact_search_delete AFTER DELETE ON contact BEGIN
    INSERT INTO contact_search (contact_search, rowid, search_text, phone_digits)
    VALUES ('delete', old.id, old.search_text, old.phone_digits);
END;
CREATE TRIGGER contact_search_update AFTER UPDATE OF id, search_text, phone_digits ON contact BEGIN
    INSERT INTO contact_search (contact_search, rowid, search_text, phone_digits)
    VALUES ('delete', old.id, old.search_text, old.phone_digits);
    INSERT INTO contact_search (rowid, search_text, phone_digits) VALUES (new.id, new.search_text, new.phone_digits);
END;

-- 0006
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
