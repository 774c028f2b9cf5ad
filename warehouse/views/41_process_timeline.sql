-- process_timeline: per accompanied process and month, its appearances (primary process only),
-- with the entity's name in Spanish (process_name) and English (process_name_en). Institutional appearances have process NULL.
CREATE OR REPLACE VIEW process_timeline AS
SELECT
    a.process,
    e.name AS process_name,
    coalesce(e.name_en, e.name) AS process_name_en,
    date_trunc('month', a.published_date)::DATE AS month,
    CAST(count(*) AS BIGINT) AS appearances,
    CAST(count(*) FILTER (WHERE a.reach = 'local') AS BIGINT) AS local,
    CAST(count(*) FILTER (WHERE a.reach = 'national') AS BIGINT) AS national,
    CAST(count(*) FILTER (WHERE a.reach = 'international') AS BIGINT) AS international,
    CAST(count(*) FILTER (WHERE a.reach = 'unclassified') AS BIGINT) AS unclassified
FROM appearances AS a
LEFT JOIN entities AS e ON e.id = a.process
GROUP BY ALL;
