-- Annual report: the outlets that carried most appearances in year $year, from the live
-- appearances or, when $frozen, from the frozen snapshot printed in the annual report.
WITH rows AS (
    SELECT outlet, reach, theme FROM appearances WHERE NOT $frozen AND year(published_date) = $year
    UNION ALL
    SELECT outlet, reach, theme FROM frozen_appearances WHERE $frozen AND year = $year
)
SELECT outlet,
       mode(reach) AS reach,
       count(*)::INTEGER AS appearances,
       count(*) FILTER (WHERE theme = 'land_territory')::INTEGER AS land_territory,
       count(*) FILTER (WHERE theme = 'labour')::INTEGER AS labour,
       count(*) FILTER (WHERE theme = 'defenders')::INTEGER AS defenders,
       count(*) FILTER (WHERE theme = 'institutional')::INTEGER AS institutional
FROM rows
GROUP BY outlet
ORDER BY appearances DESC, outlet
LIMIT $limit
