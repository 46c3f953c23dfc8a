-- Conditional requests (ETag, docs/api.md#conditional-requests): a company's position (its newest contact_change_txn
-- row, 0010) must move on every write that changes what its endpoints answer. Writes to its contacts and their tags
-- do (0007, 0010), and so does a tag renamed or recoloured; a tag created, deleted, or changed in another column did
-- not when no contact carries it, yet the tags list shows it. Every write to tag now gives the companies it touched a
-- position, like a write to a contact (a position with no contact_change rows: the feed reads nothing there).
CREATE FUNCTION contacts_change_tag_position() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER AS $$
DECLARE
  k bigint := contacts_change_key();
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    -- Which companies had tags is gone with them: every company moves.
    INSERT INTO contact_change_txn (txn_key, company_id) SELECT k, c.id FROM company c ORDER BY 2 ON CONFLICT DO NOTHING;
    RETURN NULL;
  END IF;
  IF TG_OP IN ('DELETE', 'UPDATE') THEN
    INSERT INTO contact_change_txn (txn_key, company_id) SELECT DISTINCT k, company_id FROM old_rows ORDER BY 2 ON CONFLICT DO NOTHING;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    INSERT INTO contact_change_txn (txn_key, company_id) SELECT DISTINCT k, company_id FROM new_rows ORDER BY 2 ON CONFLICT DO NOTHING;
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER tag_position_insert AFTER INSERT ON tag
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION contacts_change_tag_position();
CREATE TRIGGER tag_position_delete AFTER DELETE ON tag
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION contacts_change_tag_position();
CREATE TRIGGER tag_position_update AFTER UPDATE ON tag
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION contacts_change_tag_position();
CREATE TRIGGER tag_position_truncate AFTER TRUNCATE ON tag
  FOR EACH STATEMENT EXECUTE FUNCTION contacts_change_tag_position();

REVOKE ALL ON FUNCTION contacts_change_tag_position() FROM PUBLIC;
DO $$
BEGIN
    EXECUTE format('ALTER FUNCTION contacts_change_tag_position() SET search_path = %I, pg_temp', current_schema());
END
$$;
