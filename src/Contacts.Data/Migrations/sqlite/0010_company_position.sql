-- Conditional requests (ETag, docs/api.md#conditional-requests): a company's position must move on every write that
-- changes what its endpoints answer. A write to its contacts or their tags moves the company's newest change_seq in
-- contact_change (0006); a tag's own write did not when no contact carries the tag (created, deleted, renamed,
-- recoloured), yet the tags list shows it. Per company, the counter's value at its tags' last write. No foreign key:
-- the row of a deleted company is never read again, and a key would make the cascade of its tags' deletion fail.
CREATE TABLE company_tag_change (
    company_id  INTEGER PRIMARY KEY,
    change_seq  INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TRIGGER tag_position_insert AFTER INSERT ON tag BEGIN
  UPDATE contact_change_counter SET seq = seq + 1;
  INSERT INTO company_tag_change (company_id, change_seq) VALUES (NEW.company_id, (SELECT seq FROM contact_change_counter))
  ON CONFLICT (company_id) DO UPDATE SET change_seq = excluded.change_seq;
END;

CREATE TRIGGER tag_position_delete AFTER DELETE ON tag BEGIN
  UPDATE contact_change_counter SET seq = seq + 1;
  INSERT INTO company_tag_change (company_id, change_seq) VALUES (OLD.company_id, (SELECT seq FROM contact_change_counter))
  ON CONFLICT (company_id) DO UPDATE SET change_seq = excluded.change_seq;
END;

CREATE TRIGGER tag_position_update AFTER UPDATE ON tag BEGIN
  UPDATE contact_change_counter SET seq = seq + 1;
  INSERT INTO company_tag_change (company_id, change_seq) VALUES (OLD.company_id, (SELECT seq FROM contact_change_counter))
  ON CONFLICT (company_id) DO UPDATE SET change_seq = excluded.change_seq;
  INSERT INTO company_tag_change (company_id, change_seq) VALUES (NEW.company_id, (SELECT seq FROM contact_change_counter))
  ON CONFLICT (company_id) DO UPDATE SET change_seq = excluded.change_seq;
END;
