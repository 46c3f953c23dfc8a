DISCARD ALL;
SELECT key_id, company_id, secret_hash, revoked_at FROM api_key WHERE key_id = '2f5e301cd78e';
DISCARD ALL;
SELECT count(*) FROM contact c WHERE c.company_id = '12';
SELECT c.id, c.first_name, c.last_name, c.email, c.phone_number, c.phone_number_lid,
       c.profile_picture, c.created_at, c.updated_at FROM contact c WHERE c.company_id = '12' ORDER BY c.id LIMIT '10' OFFSET '10';
SELECT ct.contact_id, t.id, t.name, t.color
FROM contact_tag ct JOIN tag t ON t.company_id = ct.company_id AND t.id = ct.tag_id
WHERE ct.company_id = '12' AND ct.contact_id = ANY('{678363,678364,678365,678366,678367,678368,678369,678370,678371,678372}')
ORDER BY ct.contact_id, t.id;
