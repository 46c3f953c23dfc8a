\startpipeline
SELECT set_config('contacts.company_id', '3', true), set_config('plan_cache_mode', 'force_custom_plan', true);
SELECT count(*) FROM contact c WHERE c.company_id = '3' AND (c.search_text LIKE contacts_fold('%o%') ESCAPE '\' OR EXISTS (SELECT 1 FROM contact_tag ct
    WHERE ct.contact_id = c.id AND ct.tag_id IN
        (SELECT t.id FROM tag t WHERE t.company_id = '3' AND t.name_folded LIKE contacts_fold('%o%') ESCAPE '\')));
SELECT c.id, c.first_name, c.last_name, c.email, c.phone_number, c.phone_number_lid,
       c.profile_picture, c.created_at, c.updated_at, t.id, t.name, t.color, p.total
FROM (SELECT c.id, CAST(0 AS bigint) AS total FROM contact c WHERE c.company_id = '3' AND (c.search_text LIKE contacts_fold('%o%') ESCAPE '\' OR EXISTS (SELECT 1 FROM contact_tag ct
    WHERE ct.contact_id = c.id AND ct.tag_id IN
        (SELECT t.id FROM tag t WHERE t.company_id = '3' AND t.name_folded LIKE contacts_fold('%o%') ESCAPE '\'))) ORDER BY c.id LIMIT '10' OFFSET '0') p
JOIN contact c ON c.id = p.id
LEFT JOIN contact_tag ct ON ct.company_id = c.company_id AND ct.contact_id = c.id
LEFT JOIN tag t ON t.company_id = ct.company_id AND t.id = ct.tag_id
ORDER BY c.id, t.id;
\endpipeline
