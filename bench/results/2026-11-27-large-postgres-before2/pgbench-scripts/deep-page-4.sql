DISCARD ALL;
SELECT key_id, company_id, secret_hash, revoked FROM contacts_find_key('d95e399980fd');
DISCARD ALL;
SELECT set_config('contacts.company_id', '1', false);
SELECT coalesce((SELECT contacts FROM company_contact_count WHERE company_id = '1'), 0);
SELECT c.id, c.first_name, c.last_name, c.email, c.phone_number, c.phone_number_lid,
       c.profile_picture, c.created_at, c.updated_at FROM contact c WHERE c.id IN
    (SELECT c.id FROM contact c WHERE c.company_id = '1' ORDER BY c.id LIMIT '10' OFFSET '125020')
ORDER BY c.id;
SELECT ct.contact_id, t.id, t.name, t.color
FROM contact_tag ct JOIN tag t ON t.company_id = ct.company_id AND t.id = ct.tag_id
WHERE ct.company_id = '1' AND ct.contact_id = ANY('{266755,266758,266759,266761,266764,266766,266768,266770,266772,266778}')
ORDER BY ct.contact_id, t.id;
