\startpipeline
SELECT set_config('contacts.company_id', '14', true), set_config('plan_cache_mode', 'force_generic_plan', true);
SELECT count(*) FROM tag t WHERE t.company_id = '14';
SELECT t.id, t.name, t.color, t.created_at,
       coalesce((SELECT tc.contacts FROM tag_contact_count tc WHERE tc.tag_id = t.id), 0)
FROM tag t WHERE t.id IN (SELECT t.id FROM tag t WHERE t.company_id = '14' ORDER BY t.id LIMIT '10' OFFSET '0')
ORDER BY t.id;
\endpipeline
