DISCARD ALL;
SELECT key_id, company_id, secret_hash, revoked_at FROM api_key WHERE key_id = 'c2f99a2836db';
DISCARD ALL;
SELECT count(*) FROM tag t WHERE t.company_id = '14';
SELECT t.id, t.name, t.color, t.created_at,
       (SELECT count(*) FROM contact_tag ct WHERE ct.company_id = '14' AND ct.tag_id = t.id) FROM tag t WHERE t.company_id = '14' ORDER BY t.id LIMIT '10' OFFSET '0';
