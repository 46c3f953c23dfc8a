DISCARD ALL;
SELECT key_id, company_id, secret_hash, revoked_at FROM api_key WHERE key_id = '6a97d465b68c';
DISCARD ALL;
SELECT count(*) FROM contact c WHERE c.company_id = '11';
SELECT c.id, c.first_name, c.last_name, c.email, c.phone_number, c.phone_number_lid,
       c.profile_picture, c.created_at, c.updated_at FROM contact c WHERE c.company_id = '11' ORDER BY c.id LIMIT '10' OFFSET '0';
SELECT ct.contact_id, t.id, t.name, t.color
FROM contact_tag ct JOIN tag t ON t.company_id = ct.company_id AND t.id = ct.tag_id
WHERE ct.company_id = '11' AND ct.contact_id = ANY('{674001,674002,674003,674004,674005,674006,674007,674008,674009,674010}')
ORDER BY ct.contact_id, t.id;
