-- Annual report: every appearance of year $year (the list behind each cell of the tally), from the
-- live appearances or, when $frozen, from the frozen snapshot printed in the annual report.
-- Case names in $lang ('es' or 'en').
WITH rows AS (
    SELECT url, outlet, reach, published_date, theme, title, process, origin
    FROM appearances WHERE NOT $frozen AND year(published_date) = $year
    UNION ALL
    SELECT url, outlet, reach, published_date, theme, title, process, origin
    FROM frozen_appearances WHERE $frozen AND year = $year
)
SELECT r.url, r.outlet, r.reach, r.published_date, r.theme, r.title, r.process, r.origin,
       CASE WHEN $lang = 'en' THEN coalesce(e.name_en, e.name) ELSE e.name END AS process_name
FROM rows AS r
LEFT JOIN entities AS e ON e.id = r.process
ORDER BY r.published_date, r.outlet, r.url
