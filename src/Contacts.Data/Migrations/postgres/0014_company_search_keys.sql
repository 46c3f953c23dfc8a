-- Per-company search keys (issue 19, item 3). The company-first trigram indexes of 0005 hold pg_trgm's trigrams of
-- every company under one key each: a trigram's posting list is every company's contacts that contain it, and the
-- planner, which cannot narrow a trigram's list to a company inside the index, reads the trigram lists and drops the
-- other companies' rows after fetching them (EXPLAIN, the 250k company of the large benchmark, `lewandowska`: 723 index
-- entries and 715 heap pages for its 152 matches, 1.5 ms; a 6-digit phone term: 46 index pages, 2.2 ms).
--
-- Here every key belongs to one company: each three-character window of a contact's folded search text, and of its
-- phone digits, hashed with the company as the seed (text and digits with different seeds). A term's windows are all
-- windows of every text that contains it, so `keys(row) @> keys(term)` keeps every match, and only the company's own
-- candidates (a hash collision only adds a candidate, which the LIKE that follows removes). The same `lewandowska`:
-- 152 entries, 152 heap pages, 0.56 ms; the phone term 0.57 ms. Cost: a bigger index than the two it replaces (470 MB
-- against 236 MB on the 1M-contact benchmark, where each company's keys have posting lists of their own) and slower
-- writes (the import of 1M contacts 89 → 114 s, single-row updates 14 % fewer a second: bench/write-cost.sh), most of
-- it GIN merging many more distinct keys than shared trigrams. This migration computes every contact's keys once:
-- about 85 s per million contacts (docs/search-performance.md, "Per-company search keys").
CREATE FUNCTION contacts_search_keys(p_company bigint, p_text text, p_digits text) RETURNS bigint[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
  SELECT ARRAY(SELECT hashtextextended(substr(p_text, i, 3), p_company) FROM generate_series(1, length(p_text) - 2) i
               UNION ALL
               SELECT hashtextextended(substr(p_digits, i, 3), -p_company - 1) FROM generate_series(1, length(p_digits) - 2) i)
$$;

-- The keys every contact containing p_term has: NULL when the term is shorter than a window (it has no key to look up).
CREATE FUNCTION contacts_term_keys(p_company bigint, p_term text, p_digits boolean) RETURNS bigint[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
  SELECT CASE WHEN length(p_term) >= 3 THEN
    ARRAY(SELECT DISTINCT hashtextextended(substr(p_term, i, 3), CASE WHEN p_digits THEN -p_company - 1 ELSE p_company END)
          FROM generate_series(1, length(p_term) - 2) i) END
$$;

CREATE INDEX contact_company_search_keys ON contact USING gin (contacts_search_keys(company_id, search_text, phone_digits));
DROP INDEX contact_company_search_trgm;
DROP INDEX contact_company_phone_digits_trgm;

-- The lookup of 0009, now through the keys. The patterns it is given are LIKE patterns ('%' || escaped term || '%',
-- SearchText.ContainsPattern); the term is the pattern without its two wildcards and its escapes. A term the keys cannot
-- serve (shorter than three characters) reads the company's rows as before. An id may come twice (text and digits):
-- the caller tests membership (`id = ANY(ARRAY(...))`).
--
-- Planned once per session now (a generic plan), not per call as in 0009: the per-call plan was 0.3 of the lookup's
-- 0.8 ms (pgbench, one client, the 250k company). 0009 planned per call because a generic plan cannot see the pattern
-- and, on a small table, kept reading the company's btree index for every later pattern. Here the company is compared
-- as `company_id + 0`, which no index serves, so the one index a plan can use is the keys' own (a sequential scan
-- would compute every contact's keys, which the planner prices above it), whatever the table's size when planned.
CREATE OR REPLACE FUNCTION contacts_search_ids(p_company bigint, p_pattern text, p_digits text) RETURNS SETOF bigint
LANGUAGE plpgsql STABLE SECURITY DEFINER ROWS 100
SET plan_cache_mode = force_generic_plan
AS $$
DECLARE
    text_keys   bigint[];
    digit_keys  bigint[];
BEGIN
    IF p_company IS DISTINCT FROM contacts_company() THEN   -- the policies' condition, applied here (0009)
        RETURN;
    END IF;
    text_keys := contacts_term_keys(p_company, regexp_replace(substr(p_pattern, 2, length(p_pattern) - 2), '\\(.)', '\1', 'g'), false);
    IF text_keys IS NULL THEN
        RETURN QUERY SELECT c.id FROM contact c WHERE c.company_id = p_company AND c.search_text LIKE p_pattern ESCAPE '\';
    ELSE
        RETURN QUERY SELECT c.id FROM contact c
            WHERE contacts_search_keys(c.company_id, c.search_text, c.phone_digits) @> text_keys
              AND c.company_id + 0 = p_company AND c.search_text LIKE p_pattern ESCAPE '\';
    END IF;
    IF p_digits IS NULL THEN
        RETURN;
    END IF;
    digit_keys := contacts_term_keys(p_company, substr(p_digits, 2, length(p_digits) - 2), true);
    IF digit_keys IS NULL THEN
        RETURN QUERY SELECT c.id FROM contact c WHERE c.company_id = p_company AND c.phone_digits LIKE p_digits;
    ELSE
        RETURN QUERY SELECT c.id FROM contact c
            WHERE contacts_search_keys(c.company_id, c.search_text, c.phone_digits) @> digit_keys
              AND c.company_id + 0 = p_company AND c.phone_digits LIKE p_digits;
    END IF;
END
$$;

-- CREATE OR REPLACE keeps the grants but not the settings of 0009 (0011): the search_path is pinned again.
DO $$
BEGIN
    EXECUTE format('ALTER FUNCTION contacts_search_ids(bigint, text, text) SET search_path = %I, pg_temp', current_schema());
END
$$;
