-- Review desk: what the filters offer. kind 'outlet': every outlet with stored articles;
-- kind 'process': every case articles were tagged with, named in $lang ('es' or 'en').
SELECT kind, value, label
FROM (
    SELECT DISTINCT 'outlet' AS kind, outlet AS value, outlet AS label
    FROM articles
    WHERE outlet IS NOT NULL
    UNION ALL
    SELECT 'process' AS kind, e.id AS value,
           CASE WHEN $lang = 'en' THEN coalesce(e.name_en, e.name) ELSE e.name END AS label
    FROM entities AS e
    WHERE e.id IN (SELECT process FROM articles WHERE process IS NOT NULL)
)
ORDER BY kind, lower(label), value
