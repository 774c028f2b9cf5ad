-- Weekly report: appearances per ISO week ($first to $last, like '2026-W36' .. '2026-W47'), theme and reach.
-- Weeks compare as text because the ISO week label is zero-padded ('2026-W05').
SELECT week, theme, reach, appearances::INTEGER AS appearances
FROM weekly_counts
WHERE week BETWEEN $first AND $last
ORDER BY week, theme, reach
