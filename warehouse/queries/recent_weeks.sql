-- Appearances in each of the last $weeks ISO weeks up to today (Mexico City), zero weeks included.
WITH weeks AS (
    SELECT strftime(day, '%G-W%V') AS week
    FROM range(current_date - (($weeks - 1) * 7)::INTEGER, current_date + 1, INTERVAL 7 DAY) AS t(day)
    UNION
    SELECT strftime(current_date, '%G-W%V')
)
SELECT w.week, coalesce(sum(c.appearances), 0)::INTEGER AS appearances
FROM weeks AS w
LEFT JOIN weekly_counts AS c USING (week)
GROUP BY w.week
ORDER BY w.week DESC
