\startpipeline
SELECT set_config('contacts.company_id', '3', true), set_config('plan_cache_mode', 'force_custom_plan', true);
SELECT c.id, c.first_name, c.last_name, c.email, c.phone_number, c.phone_number_lid,
       c.profile_picture, c.created_at, c.updated_at, t.id, t.name, t.color, p.total
FROM (SELECT c.id, count(*) OVER (ORDER BY c.id ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS total
FROM contact c WHERE c.company_id = '3' AND c.id = ANY(ARRAY(SELECT s.id FROM contact s WHERE s.company_id = '3' AND s.search_text LIKE contacts_fold('%736782%') ESCAPE '\'
              UNION SELECT ct.contact_id FROM contact_tag ct
                  JOIN tag t ON t.company_id = ct.company_id AND t.id = ct.tag_id
                  WHERE ct.company_id = '3' AND t.name_folded LIKE contacts_fold('%736782%') ESCAPE '\' UNION SELECT s.id FROM contact s WHERE s.company_id = '3' AND s.phone_digits LIKE '%736782%')) ORDER BY c.id LIMIT '10' OFFSET '0') p
JOIN contact c ON c.id = p.id
LEFT JOIN contact_tag ct ON ct.company_id = c.company_id AND ct.contact_id = c.id
LEFT JOIN tag t ON t.company_id = ct.company_id AND t.id = ct.tag_id
ORDER BY c.id, t.id;
\endpipeline
