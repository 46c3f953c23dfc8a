DISCARD ALL;
SELECT count(*) FROM tag t WHERE t.company_id = '2';
SELECT t.id, t.name, t.color, t.created_at,
       (SELECT count(*) FROM contact_tag ct WHERE ct.company_id = '2' AND ct.tag_id = t.id) FROM tag t WHERE t.company_id = '2' ORDER BY t.id LIMIT '10' OFFSET '0';
