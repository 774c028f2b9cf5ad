-- Review desk: the candidate mentions of the listed articles ($urls), accepted or not, with why;
-- entity names in $lang ('es' or 'en').
SELECT m.article_url, m.seq, m.field, m.matched, m.snippet, m.accepted, m.reason, m.reason_es, m.reason_code,
       m.theme,
       coalesce(CASE WHEN $lang = 'en' THEN coalesce(e.name_en, e.name) ELSE e.name END, m.entity_id) AS entity_name
FROM mentions AS m
LEFT JOIN entities AS e ON e.id = m.entity_id
WHERE m.article_url IN (SELECT unnest($urls::VARCHAR[]))
ORDER BY m.article_url, NOT m.accepted, m.field <> 'text', m.seq
