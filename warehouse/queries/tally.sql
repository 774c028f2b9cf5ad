-- The year-end tally: appearances published in year $year, by theme and reach.
SELECT theme, reach, sum(appearances)::INTEGER AS appearances
FROM yearly_tally
WHERE year = $year
GROUP BY ALL
ORDER BY theme, reach
