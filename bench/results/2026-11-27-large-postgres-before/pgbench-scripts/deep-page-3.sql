DISCARD ALL;
SELECT count(*) FROM contact c WHERE c.company_id = '2';
SELECT c.id, c.first_name, c.last_name, c.email, c.phone_number, c.phone_number_lid,
       c.profile_picture, c.created_at, c.updated_at FROM contact c WHERE c.company_id = '2' ORDER BY c.id LIMIT '10' OFFSET '125010';
SELECT ct.contact_id, t.id, t.name, t.color
FROM contact_tag ct JOIN tag t ON t.company_id = ct.company_id AND t.id = ct.tag_id
WHERE ct.company_id = '2' AND ct.contact_id = ANY('{275011,275012,275013,275014,275015,275016,275017,275018,275019,275020}')
ORDER BY ct.contact_id, t.id;
