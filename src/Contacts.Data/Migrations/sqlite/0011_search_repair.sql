-- Search totals repaired from the changes since they were counted (docs/search-performance.md, "Repair"); see the
-- PostgreSQL script 0013 for the idea. SQLite has one writer at a time, so each change is simply preceded by the image
-- of its contact as it was: `at` is the change counter before the change moves it (a change after a reader's horizon H
-- has at >= H, the next writer starting from the counter the reader saw), n orders the images of one transaction.
-- The state of a contact at H is its first image with at >= H; a contact created or moved in after H is absent then.
-- BEFORE triggers run before the row changes and before any AFTER trigger, the feed's counter included.
CREATE TABLE contact_search_image (
    n             INTEGER PRIMARY KEY,
    company_id    INTEGER NOT NULL,
    contact_id    INTEGER NOT NULL,
    at            INTEGER NOT NULL,
    absent        INTEGER NOT NULL DEFAULT 0,
    search_text   TEXT,
    phone_digits  TEXT,
    tag_ids       TEXT               -- JSON array of tag ids
);
CREATE INDEX contact_search_image_contact ON contact_search_image (company_id, contact_id, at);
CREATE INDEX contact_search_image_at ON contact_search_image (at);

-- A tag renamed or deleted changes what its contacts match under today's names: totals spanning it are counted again.
CREATE TABLE contact_search_bulk (
    at          INTEGER NOT NULL,
    company_id  INTEGER NOT NULL
);
CREATE INDEX contact_search_bulk_company ON contact_search_bulk (company_id, at);

-- Images before `below` may be gone (the purge, with the feed's, keeps them between one and two purge intervals).
CREATE TABLE contact_search_image_purge (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    below       INTEGER NOT NULL,
    next_below  INTEGER NOT NULL
);
INSERT INTO contact_search_image_purge (id, below, next_below)
SELECT 1, seq + 1, seq + 1 FROM contact_change_counter;

CREATE TRIGGER contact_search_image_update BEFORE UPDATE ON contact BEGIN
  INSERT INTO contact_search_image (company_id, contact_id, at, search_text, phone_digits, tag_ids)
  VALUES (OLD.company_id, OLD.id, (SELECT seq FROM contact_change_counter), OLD.search_text, OLD.phone_digits,
          (SELECT json_group_array(ct.tag_id) FROM contact_tag ct WHERE ct.company_id = OLD.company_id AND ct.contact_id = OLD.id));
  INSERT INTO contact_search_image (company_id, contact_id, at, absent)
  SELECT NEW.company_id, NEW.id, (SELECT seq FROM contact_change_counter), 1
  WHERE NEW.company_id <> OLD.company_id OR NEW.id <> OLD.id;
END;

CREATE TRIGGER contact_search_image_delete BEFORE DELETE ON contact BEGIN
  INSERT INTO contact_search_image (company_id, contact_id, at, search_text, phone_digits, tag_ids)
  VALUES (OLD.company_id, OLD.id, (SELECT seq FROM contact_change_counter), OLD.search_text, OLD.phone_digits,
          (SELECT json_group_array(ct.tag_id) FROM contact_tag ct WHERE ct.company_id = OLD.company_id AND ct.contact_id = OLD.id));
END;

-- A new contact's id is known only after the insert: an AFTER trigger, whose `at` discounts the feed's own bump when
-- that trigger (same event) already ran.
CREATE TRIGGER contact_search_image_insert AFTER INSERT ON contact BEGIN
  INSERT INTO contact_search_image (company_id, contact_id, at, absent)
  SELECT NEW.company_id, NEW.id, k.seq - EXISTS (SELECT 1 FROM contact_change cc
             WHERE cc.company_id = NEW.company_id AND cc.contact_id = NEW.id AND cc.change_seq = k.seq AND cc.deleted_at IS NULL), 1
  FROM contact_change_counter k;
END;

CREATE TRIGGER contact_tag_search_image_insert BEFORE INSERT ON contact_tag BEGIN
  INSERT INTO contact_search_image (company_id, contact_id, at, search_text, phone_digits, tag_ids)
  SELECT c.company_id, c.id, (SELECT seq FROM contact_change_counter), c.search_text, c.phone_digits,
         (SELECT json_group_array(ct.tag_id) FROM contact_tag ct WHERE ct.company_id = c.company_id AND ct.contact_id = c.id)
  FROM contact c WHERE c.company_id = NEW.company_id AND c.id = NEW.contact_id;
END;

CREATE TRIGGER contact_tag_search_image_delete BEFORE DELETE ON contact_tag BEGIN
  INSERT INTO contact_search_image (company_id, contact_id, at, search_text, phone_digits, tag_ids)
  SELECT c.company_id, c.id, (SELECT seq FROM contact_change_counter), c.search_text, c.phone_digits,
         (SELECT json_group_array(ct.tag_id) FROM contact_tag ct WHERE ct.company_id = c.company_id AND ct.contact_id = c.id)
  FROM contact c WHERE c.company_id = OLD.company_id AND c.id = OLD.contact_id;
END;

CREATE TRIGGER contact_tag_search_image_update BEFORE UPDATE ON contact_tag BEGIN
  INSERT INTO contact_search_image (company_id, contact_id, at, search_text, phone_digits, tag_ids)
  SELECT c.company_id, c.id, (SELECT seq FROM contact_change_counter), c.search_text, c.phone_digits,
         (SELECT json_group_array(ct.tag_id) FROM contact_tag ct WHERE ct.company_id = c.company_id AND ct.contact_id = c.id)
  FROM contact c WHERE (c.company_id = OLD.company_id AND c.id = OLD.contact_id) OR (c.company_id = NEW.company_id AND c.id = NEW.contact_id);
END;

CREATE TRIGGER tag_search_image_rename BEFORE UPDATE ON tag
WHEN OLD.name_folded IS NOT NEW.name_folded OR OLD.company_id <> NEW.company_id BEGIN
  INSERT INTO contact_search_bulk (at, company_id) VALUES ((SELECT seq FROM contact_change_counter), OLD.company_id);
END;

CREATE TRIGGER tag_search_image_delete BEFORE DELETE ON tag BEGIN
  INSERT INTO contact_search_bulk (at, company_id) VALUES ((SELECT seq FROM contact_change_counter), OLD.company_id);
END;
