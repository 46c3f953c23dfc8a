-- Search under row-level security. PostgreSQL evaluates a policy's condition before any condition of the query that is
-- not LEAKPROOF, and LIKE is not: under the policies (every API request since 0008) the company-first trigram indexes
-- of 0005 could not serve `search_text LIKE '%term%'`, and a search read every contact of the company instead
-- (a rare surname on a 25,000-contact company: 43 ms instead of 0.6 ms; bench/README.md).
--
-- So the trigram lookups run in this function, as its owner (the tables' owner, whom the policies skip), and apply the
-- policies' own condition themselves: the company asked for must be contacts_company(), the same transaction-local
-- setting the policies read (with no setting, or another company, there is no row). The company is also passed as a
-- value so that the planner estimates it like the constant it was before (a stable expression alone made it read the
-- company's btree index instead of the trigram index). It returns contact ids only; the request then reads the rows
-- themselves under the policies as before. Like contacts_find_key: EXECUTE for contacts_api only, a fixed search_path.
--
-- Planned per call for its pattern, as the searches were before (plan_cache_mode of 0009's caller, made explicit): a
-- generic plan, chosen once per session, costs a pattern it cannot see with a default selectivity, and on a small table
-- kept reading the company's btree index for every later pattern. 4,700 calls/s with a plan per call, 5,800 generic.
CREATE FUNCTION contacts_search_ids(p_company bigint, p_pattern text, p_digits text) RETURNS SETOF bigint
LANGUAGE plpgsql STABLE SECURITY DEFINER ROWS 100
SET plan_cache_mode = force_custom_plan
AS $$
BEGIN
    RETURN QUERY
        SELECT c.id FROM contact c
        WHERE c.company_id = p_company AND p_company = contacts_company() AND c.search_text LIKE p_pattern ESCAPE '\'
        UNION
        SELECT c.id FROM contact c
        WHERE c.company_id = p_company AND p_company = contacts_company() AND p_digits IS NOT NULL AND c.phone_digits LIKE p_digits;
END
$$;

REVOKE ALL ON FUNCTION contacts_search_ids(bigint, text, text) FROM PUBLIC;
DO $$
BEGIN
    EXECUTE format('ALTER FUNCTION contacts_search_ids(bigint, text, text) SET search_path = %I, pg_temp', current_schema());
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'contacts_api') THEN
        GRANT EXECUTE ON FUNCTION contacts_search_ids(bigint, text, text) TO contacts_api;
    END IF;
END
$$;
