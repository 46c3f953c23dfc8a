-- Search reads one company's contacts, but the trigram indexes of 0001 cover every company: a term's candidates from
-- all companies were fetched from the heap and rechecked, then most were thrown away by the company filter (measured on
-- the large benchmark: 728 heap rows read for 159 matches of the big company). With the company as the first column of
-- the GIN index (btree_gin), the index answers for one company only. See bench/README.md for the figures.
CREATE EXTENSION IF NOT EXISTS btree_gin;

CREATE INDEX contact_company_search_trgm ON contact USING gin (company_id, search_text gin_trgm_ops);
CREATE INDEX contact_company_phone_digits_trgm ON contact USING gin (company_id, phone_digits gin_trgm_ops);
DROP INDEX contact_search_trgm;
DROP INDEX contact_phone_digits_trgm;
