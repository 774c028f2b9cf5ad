-- mention_snippets: every candidate mention with its sentence, the article it is in,
-- and whether the tagger accepted it (and why: `reason` in English, `reason_code` to group by,
-- `reason_es` in Spanish; see docs/warehouse.md). For reviewers and for auditing a count.
CREATE OR REPLACE VIEW mention_snippets AS
SELECT
    m.article_url,
    a.outlet,
    a.published_date,
    a.title,
    m.entity_id,
    e.name AS entity_name,
    coalesce(e.name_en, e.name) AS entity_name_en,
    m.matched,
    m.snippet,
    m.accepted,
    m.reason,
    m.reason_code,
    m.reason_es,
    m.field,
    m.start_char,
    m.end_char
FROM mentions AS m
JOIN articles AS a ON a.url = m.article_url
LEFT JOIN entities AS e ON e.id = m.entity_id;
