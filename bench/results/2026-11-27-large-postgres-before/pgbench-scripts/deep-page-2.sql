DISCARD ALL;
SELECT count(*) FROM contact c WHERE c.company_id = '2';
SELECT c.id, c.first_name, c.last_name, c.email, c.phone_number, c.phone_number_lid,
       c.profile_picture, c.created_at, c.updated_at FROM contact c WHERE c.company_id = '2' ORDER BY c.id LIMIT '10' OFFSET '125000';
SELECT ct.contact_id, t.id, t.name, t.color
FROM contact_tag ct JOIN tag t ON t.company_id = ct.company_id AND t.id = ct.tag_id
WHERE ct.company_id = '2' AND ct.contact_id = ANY('{275001,275002,275003,275004,275005,275006,275007,275008,275009,275010}')
ORDER BY ct.contact_id, t.id;
