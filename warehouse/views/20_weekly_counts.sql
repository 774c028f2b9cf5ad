-- weekly_counts: appearances per ISO week (Monday to Sunday), theme and reach. week looks like '2026-W47'.
CREATE OR REPLACE VIEW weekly_counts AS
SELECT
    strftime(published_date, '%G-W%V') AS week,
    theme,
    reach,
    count(*) AS appearances
FROM appearances
GROUP BY ALL;
