-- What the evaluation compares with expected.json's weekly counts: appearances per ISO week,
-- theme and reach, for the weeks of year $year ('2026-W47').
SELECT week, theme, reach, appearances::INTEGER AS appearances
FROM weekly_counts
WHERE starts_with(week, $year::VARCHAR || '-W')
ORDER BY week, theme, reach
