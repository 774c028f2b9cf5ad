-- monthly_counts: appearances per month, theme and reach, with the empty months filled: every
-- month from the first to the last with an appearance, times every theme and reach (the four of
-- each, and any other value the data holds), has a row, 0 when nothing was published. A chart
-- or a spreadsheet then shows a quiet month as 0, not as a missing point. Months are Mexico City
-- months (published_date is the Mexico City date, counting rules §5); `month` is its first day.
CREATE OR REPLACE VIEW monthly_counts AS
WITH span AS (
    SELECT date_trunc('month', min(published_date))::DATE AS first_month,
           date_trunc('month', max(published_date))::DATE AS last_month
    FROM appearances
),
months AS (
    SELECT CAST(m AS DATE) AS month
    FROM span, generate_series(span.first_month, span.last_month, INTERVAL 1 MONTH) AS t(m)
),
themes AS (
    SELECT unnest(['land_territory', 'labour', 'defenders', 'institutional']) AS theme
    UNION SELECT DISTINCT theme FROM appearances
),
reaches AS (
    SELECT unnest(['local', 'national', 'international', 'unclassified']) AS reach
    UNION SELECT DISTINCT reach FROM appearances
),
counted AS (
    SELECT date_trunc('month', published_date)::DATE AS month, theme, reach, CAST(count(*) AS BIGINT) AS n
    FROM appearances
    GROUP BY ALL
)
SELECT
    m.month,
    strftime(m.month, '%Y-%m') AS month_label,
    t.theme,
    r.reach,
    CAST(coalesce(c.n, 0) AS BIGINT) AS appearances
FROM months AS m
CROSS JOIN themes AS t
CROSS JOIN reaches AS r
LEFT JOIN counted AS c ON c.month = m.month AND c.theme = t.theme AND c.reach = r.reach;
