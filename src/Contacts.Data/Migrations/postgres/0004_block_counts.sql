-- Deep pages without walking the offset: per company, how many contacts have an id in each block of 1,024 ids
-- (block = id / 1024). A page at offset N sums the company's blocks in id order (a few hundred small rows even for a
-- company of 250,000 contacts), finds the block that holds row N, and walks at most 1,023 index entries inside it.
-- Kept exact by the same statement-level trigger as company_contact_count, so it always agrees with the contact rows
-- of the reader's snapshot, whoever wrote them. See docs/schema.md.

CREATE TABLE contact_block_count (
    company_id  bigint NOT NULL REFERENCES company (id) ON DELETE CASCADE,
    block       bigint NOT NULL,
    contacts    bigint NOT NULL,
    PRIMARY KEY (company_id, block)
);

CREATE OR REPLACE FUNCTION contacts_count_contacts() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER AS $$
BEGIN
  -- One signed delta per company (and per company and id block) for the whole statement, applied in key order so that
  -- concurrent writers lock the counter rows in the same order. An UPDATE only counts when it moves a contact to another
  -- company or another id.
  IF TG_OP = 'INSERT' THEN
    INSERT INTO company_contact_count AS c (company_id, contacts)
    SELECT company_id, count(*) FROM new_rows GROUP BY company_id ORDER BY company_id
    ON CONFLICT (company_id) DO UPDATE SET contacts = c.contacts + excluded.contacts;
    INSERT INTO contact_block_count AS b (company_id, block, contacts)
    SELECT company_id, id / 1024, count(*) FROM new_rows GROUP BY 1, 2 ORDER BY 1, 2
    ON CONFLICT (company_id, block) DO UPDATE SET contacts = b.contacts + excluded.contacts;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO company_contact_count AS c (company_id, contacts)
    SELECT company_id, -count(*) FROM old_rows GROUP BY company_id ORDER BY company_id
    ON CONFLICT (company_id) DO UPDATE SET contacts = c.contacts + excluded.contacts;
    INSERT INTO contact_block_count AS b (company_id, block, contacts)
    SELECT company_id, id / 1024, -count(*) FROM old_rows GROUP BY 1, 2 ORDER BY 1, 2
    ON CONFLICT (company_id, block) DO UPDATE SET contacts = b.contacts + excluded.contacts;
  ELSE
    INSERT INTO company_contact_count AS c (company_id, contacts)
    SELECT company_id, sum(n) FROM
      (SELECT company_id, 1 AS n FROM new_rows UNION ALL SELECT company_id, -1 FROM old_rows) u
    GROUP BY company_id HAVING sum(n) <> 0 ORDER BY company_id
    ON CONFLICT (company_id) DO UPDATE SET contacts = c.contacts + excluded.contacts;
    INSERT INTO contact_block_count AS b (company_id, block, contacts)
    SELECT company_id, block, sum(n) FROM
      (SELECT company_id, id / 1024 AS block, 1 AS n FROM new_rows
       UNION ALL SELECT company_id, id / 1024, -1 FROM old_rows) u
    GROUP BY company_id, block HAVING sum(n) <> 0 ORDER BY company_id, block
    ON CONFLICT (company_id, block) DO UPDATE SET contacts = b.contacts + excluded.contacts;
  END IF;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION contacts_reset_counts() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER AS $$
BEGIN
  IF TG_TABLE_NAME = 'contact' THEN
    DELETE FROM company_contact_count;
    DELETE FROM contact_block_count;
  END IF;
  DELETE FROM tag_contact_count;
  RETURN NULL;
END $$;

-- Row-level security like the other counters. The service role needs
--   GRANT SELECT ON contact_block_count TO contacts_api;
ALTER TABLE contact_block_count ENABLE ROW LEVEL SECURITY;
CREATE POLICY contact_block_count_company ON contact_block_count
    USING (company_id = nullif(current_setting('contacts.company_id', true), '')::bigint);

-- Existing data.
INSERT INTO contact_block_count (company_id, block, contacts)
SELECT company_id, id / 1024, count(*) FROM contact GROUP BY 1, 2;

-- CREATE OR REPLACE drops the functions' pinned search_path: pin it again (0002 explains why).
DO $$
BEGIN
    EXECUTE format('ALTER FUNCTION contacts_count_contacts() SET search_path = %I, pg_temp', current_schema());
    EXECUTE format('ALTER FUNCTION contacts_reset_counts() SET search_path = %I, pg_temp', current_schema());
END
$$;
