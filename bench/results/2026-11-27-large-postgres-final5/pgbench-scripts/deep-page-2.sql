\startpipeline
SELECT set_config('contacts.company_id', '3', true), set_config('plan_cache_mode', 'force_generic_plan', true);
SELECT coalesce((SELECT contacts FROM company_contact_count WHERE company_id = '3'), 0);
WITH start AS (SELECT block, before FROM
    (SELECT block, contacts, (sum(contacts) OVER (ORDER BY block))::bigint - contacts AS before
     FROM contact_block_count WHERE company_id = '3') b
    WHERE before + contacts > '125000' ORDER BY block LIMIT 1)
SELECT c.id, c.first_name, c.last_name, c.email, c.phone_number, c.phone_number_lid,
       c.profile_picture, c.created_at, c.updated_at, t.id, t.name, t.color, p.total
FROM (SELECT c.id, CAST(0 AS bigint) AS total FROM contact c WHERE c.company_id = '3' AND c.id >= (SELECT block * 1024 FROM start)
ORDER BY c.id LIMIT '10' OFFSET (SELECT '125000' - before FROM start)) p
JOIN contact c ON c.id = p.id
LEFT JOIN contact_tag ct ON ct.company_id = c.company_id AND ct.contact_id = c.id
LEFT JOIN tag t ON t.company_id = ct.company_id AND t.id = ct.tag_id
ORDER BY c.id, t.id;
\endpipeline
