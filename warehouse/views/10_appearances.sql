-- appearances: one row per appearance as the counting rules define it.
--  * crawled articles the tagger counted, unless a person rejected them or marked them duplicates,
--    plus articles a person confirmed; a person's theme overrides the tagger's;
--  * manual appearances (print, radio, TV...) entered from CSV;
--  * reach is the outlet's reach in force on the publication date (rules §4); an outlet
--    nobody classified stays 'unclassified'.
CREATE OR REPLACE VIEW appearances AS
WITH crawled AS (
    SELECT
        a.url,
        a.outlet,
        a.published_date,
        coalesce(r.theme, a.theme, 'institutional') AS theme,
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
        CASE WHEN r.decision IS NULL THEN 'tagger' ELSE 'review' END AS decided_by,
        'crawled' AS origin,
        NULL::VARCHAR AS given_reach
    FROM articles AS a
    LEFT JOIN latest_reviews AS r ON r.article_url = a.url
    WHERE (r.decision IS NULL AND a.is_appearance) OR r.decision = 'confirm'
),
manual AS (
    SELECT
        coalesce(m.url, 'manual:' || m.manual_id) AS url,
        m.outlet,
        m.published_date,
        m.theme,
        m.title,
        m.process,
        []::VARCHAR[] AS secondary_themes,
        NULL AS author,
        NULL AS language,
        NULL AS domain,
        'manual' AS date_source,
        m.medium AS discovered_via,
        NULL AS syndication_group,
        m.added_at AS first_seen,
        'person' AS decided_by,
        'manual' AS origin,
        m.reach AS given_reach
    FROM manual_appearances AS m
),
unioned AS (
    SELECT * FROM crawled
    UNION ALL
    SELECT * FROM manual
),
final AS (
    SELECT
        u.url,
        u.outlet,
        coalesce(p.reach, u.given_reach, 'unclassified') AS reach,
        nullif(o.region, '') AS region,   -- sources.yaml writes "" for "no region"; NULL here
        u.published_date,
        u.theme,
        u.title,
        u.process,
        u.secondary_themes,
        u.author,
        u.language,
        u.domain,
        u.date_source,
        u.discovered_via,
        u.syndication_group,
        u.first_seen,
        u.decided_by,
        u.origin
    FROM unioned AS u
    LEFT JOIN outlet_reach_periods AS p
        ON p.outlet = u.outlet AND u.published_date BETWEEN p.valid_from AND p.valid_until
    LEFT JOIN outlets AS o ON o.name = u.outlet
)
SELECT * FROM final;
