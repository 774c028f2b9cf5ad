-- appearances: one row per appearance as the counting rules define it.
-- Reach comes from the outlet (rules §4); an outlet nobody classified stays 'unclassified'.
CREATE OR REPLACE VIEW appearances AS
WITH final AS (
    SELECT
        a.url,
        a.outlet,
        coalesce(o.reach, 'unclassified') AS reach,
        o.region,
        a.published_date,
        a.theme,
        a.title,
        a.process,
        a.secondary_themes,
        a.author,
        a.language,
        a.domain,
        a.date_source,
        a.discovered_via,
        a.syndication_group,
        a.first_seen,
        'crawled' AS origin
    FROM articles AS a
    LEFT JOIN outlets AS o ON o.name = a.outlet
    WHERE a.is_appearance
)
SELECT * FROM final;
