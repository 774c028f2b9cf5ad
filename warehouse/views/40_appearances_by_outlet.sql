-- appearances_by_outlet: per outlet and year, how many appearances, by theme, with its current reach.
CREATE OR REPLACE VIEW appearances_by_outlet AS
SELECT
    outlet,
    any_value(reach) FILTER (WHERE published_date = max_date) AS reach_latest,
    year(published_date) AS year,
    count(*) AS appearances,
    count(*) FILTER (WHERE theme = 'land_territory') AS land_territory,
    count(*) FILTER (WHERE theme = 'labour') AS labour,
    count(*) FILTER (WHERE theme = 'defenders') AS defenders,
    count(*) FILTER (WHERE theme = 'institutional') AS institutional,
    min(published_date) AS first_appearance,
    max(published_date) AS last_appearance
FROM (SELECT *, max(published_date) OVER (PARTITION BY outlet) AS max_date FROM appearances)
GROUP BY outlet, year(published_date);
