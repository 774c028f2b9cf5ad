-- appearances_by_outlet: per outlet and year, how many appearances, by theme, with its current reach.
-- reach_latest is the reach of the outlet's latest appearance, the same on every row of the outlet:
-- it is computed over all the outlet's appearances (a window), not inside each year's group, where
-- only the latest year holds the latest date (it was NULL on every other year's row).
CREATE OR REPLACE VIEW appearances_by_outlet AS
WITH latest AS (
    SELECT outlet, arg_max(reach, published_date) AS reach_latest
    FROM appearances
    GROUP BY outlet
)
SELECT
    a.outlet,
    any_value(l.reach_latest) AS reach_latest,
    year(a.published_date) AS year,
    CAST(count(*) AS BIGINT) AS appearances,
    CAST(count(*) FILTER (WHERE a.theme = 'land_territory') AS BIGINT) AS land_territory,
    CAST(count(*) FILTER (WHERE a.theme = 'labour') AS BIGINT) AS labour,
    CAST(count(*) FILTER (WHERE a.theme = 'defenders') AS BIGINT) AS defenders,
    CAST(count(*) FILTER (WHERE a.theme = 'institutional') AS BIGINT) AS institutional,
    min(a.published_date) AS first_appearance,
    max(a.published_date) AS last_appearance
FROM appearances AS a
JOIN latest AS l USING (outlet)
GROUP BY a.outlet, year(a.published_date);
