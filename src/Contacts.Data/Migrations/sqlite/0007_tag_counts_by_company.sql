-- Tag counters keyed by (company, tag) instead of tag id alone: a contact_tag row written with foreign keys off that
-- names another company's tag id then counts under its own company's key, which no tag of that company reads, and
-- cannot move the other company's count. The counts are recomputed from contact_tag, keeping only pairs that name a
-- real tag of that company.

DROP TRIGGER contact_tag_count_insert;
DROP TRIGGER contact_tag_count_delete;
DROP TRIGGER contact_tag_count_update;
DROP TABLE tag_contact_count;

CREATE TABLE tag_contact_count (
    company_id  INTEGER NOT NULL,
    tag_id      INTEGER NOT NULL,
    contacts    INTEGER NOT NULL,
    PRIMARY KEY (company_id, tag_id),
    FOREIGN KEY (company_id, tag_id) REFERENCES tag (company_id, id) ON DELETE CASCADE
) WITHOUT ROWID;

CREATE TRIGGER contact_tag_count_insert AFTER INSERT ON contact_tag BEGIN
  INSERT INTO tag_contact_count (company_id, tag_id, contacts) VALUES (NEW.company_id, NEW.tag_id, 1)
  ON CONFLICT (company_id, tag_id) DO UPDATE SET contacts = contacts + 1;
END;
-- Decrements only update: the tag itself may be going away in the same cascade.
CREATE TRIGGER contact_tag_count_delete AFTER DELETE ON contact_tag BEGIN
  UPDATE tag_contact_count SET contacts = contacts - 1 WHERE company_id = OLD.company_id AND tag_id = OLD.tag_id;
END;
CREATE TRIGGER contact_tag_count_update AFTER UPDATE OF company_id, tag_id ON contact_tag
WHEN OLD.company_id <> NEW.company_id OR OLD.tag_id <> NEW.tag_id BEGIN
  UPDATE tag_contact_count SET contacts = contacts - 1 WHERE company_id = OLD.company_id AND tag_id = OLD.tag_id;
  INSERT INTO tag_contact_count (company_id, tag_id, contacts) VALUES (NEW.company_id, NEW.tag_id, 1)
  ON CONFLICT (company_id, tag_id) DO UPDATE SET contacts = contacts + 1;
END;

INSERT INTO tag_contact_count (company_id, tag_id, contacts)
SELECT ct.company_id, ct.tag_id, count(*) FROM contact_tag ct
WHERE EXISTS (SELECT 1 FROM tag t WHERE t.company_id = ct.company_id AND t.id = ct.tag_id)
GROUP BY ct.company_id, ct.tag_id;
