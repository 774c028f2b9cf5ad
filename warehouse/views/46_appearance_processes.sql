-- appearance_processes: one row per appearance and accompanied process it mentions, with how
-- often (`mentions`: its accepted mentions of that process; a byline never names a process).
-- `appearances.process` keeps only the one a tally uses (is_primary here); an article about
-- Unión Hidalgo that also names the Xoco assembly is listed under both. A primary process with
-- no accepted mention (a manual appearance, or a person's decision) is listed with mentions 0.
CREATE OR REPLACE VIEW appearance_processes AS
WITH named AS (
    SELECT m.article_url AS url, m.entity_id AS process, CAST(count(*) AS BIGINT) AS mentions
    FROM mentions AS m
    WHERE m.accepted AND m.entity_kind = 'process'
    GROUP BY ALL
),
pairs AS (
    SELECT a.url, n.process, n.mentions
    FROM appearances AS a
    JOIN named AS n USING (url)
    UNION ALL
    SELECT a.url, a.process, CAST(0 AS BIGINT) AS mentions
    FROM appearances AS a
    WHERE a.process IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM named AS n WHERE n.url = a.url AND n.process = a.process)
)
SELECT
    a.url,
    a.outlet,
    a.reach,
    a.published_date,
    a.theme,
    p.process,
    e.name AS process_name,
    coalesce(e.name_en, e.name) AS process_name_en,
    p.mentions,
    p.process IS NOT DISTINCT FROM a.process AS is_primary
FROM pairs AS p
JOIN appearances AS a USING (url)
LEFT JOIN entities AS e ON e.id = p.process;
