-- Exact per-company contact counts and per-tag contact counts, kept by triggers so that rows written by other
-- applications (and foreign-key cascades) keep them right. The API reads them instead of count(*) for the
-- unfiltered contact list and the tags list. SQLite has row triggers only; they run in-process and cost little.

CREATE TABLE company_contact_count (
    company_id  INTEGER PRIMARY KEY REFERENCES company (id) ON DELETE CASCADE,
    contacts    INTEGER NOT NULL
);

CREATE TABLE tag_contact_count (
    tag_id      INTEGER PRIMARY KEY,
    company_id  INTEGER NOT NULL,
    contacts    INTEGER NOT NULL,
    FOREIGN KEY (company_id, tag_id) REFERENCES tag (company_id, id) ON DELETE CASCADE
);

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

CREATE TRIGGER contact_tag_count_insert AFTER INSERT ON contact_tag BEGIN
  INSERT INTO tag_contact_count (tag_id, company_id, contacts) VALUES (NEW.tag_id, NEW.company_id, 1)
  ON CONFLICT (tag_id) DO UPDATE SET contacts = contacts + 1;
END;
-- Decrements only update: the tag itself may be going away in the same cascade.
CREATE TRIGGER contact_tag_count_delete AFTER DELETE ON contact_tag BEGIN
  UPDATE tag_contact_count SET contacts = contacts - 1 WHERE tag_id = OLD.tag_id;
END;
CREATE TRIGGER contact_tag_count_update AFTER UPDATE OF tag_id ON contact_tag WHEN OLD.tag_id <> NEW.tag_id BEGIN
  UPDATE tag_contact_count SET contacts = contacts - 1 WHERE tag_id = OLD.tag_id;
  INSERT INTO tag_contact_count (tag_id, company_id, contacts) VALUES (NEW.tag_id, NEW.company_id, 1)
  ON CONFLICT (tag_id) DO UPDATE SET contacts = contacts + 1;
END;

-- Existing data.
INSERT INTO company_contact_count (company_id, contacts) SELECT company_id, count(*) FROM contact GROUP BY company_id;
INSERT INTO tag_contact_count (tag_id, company_id, contacts) SELECT tag_id, company_id, count(*) FROM contact_tag GROUP BY tag_id, company_id;
