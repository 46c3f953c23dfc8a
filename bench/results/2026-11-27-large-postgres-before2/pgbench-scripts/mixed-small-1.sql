DISCARD ALL;
SELECT set_config('contacts.company_id', '11', false);
SELECT coalesce((SELECT contacts FROM company_contact_count WHERE company_id = '11'), 0);
SELECT c.id, c.first_name, c.last_name, c.email, c.phone_number, c.phone_number_lid,
       c.profile_picture, c.created_at, c.updated_at FROM contact c WHERE c.id IN
    (SELECT c.id FROM contact c WHERE c.company_id = '11' ORDER BY c.id LIMIT '10' OFFSET '0')
ORDER BY c.id;
SELECT ct.contact_id, t.id, t.name, t.color
FROM contact_tag ct JOIN tag t ON t.company_id = ct.company_id AND t.id = ct.tag_id
WHERE ct.company_id = '11' AND ct.contact_id = ANY('{658001,658002,658003,658004,658005,658006,658007,658008,658009,658010}')
ORDER BY ct.contact_id, t.id;
