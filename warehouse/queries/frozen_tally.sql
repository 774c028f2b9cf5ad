-- The tally of a frozen year, from its snapshot (never from the live views).
SELECT theme, reach, count(*)::INTEGER AS appearances
FROM frozen_appearances
WHERE year = $year
GROUP BY ALL
ORDER BY theme, reach
