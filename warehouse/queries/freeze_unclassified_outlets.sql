-- Before freezing year $year: outlets nobody gave a reach whose appearances that year count as
-- 'unclassified' (the annual report has no such column).
SELECT outlet, count(*)::INTEGER AS appearances
FROM appearances
WHERE year(published_date) = $year AND reach = 'unclassified'
GROUP BY outlet
ORDER BY appearances DESC, outlet
