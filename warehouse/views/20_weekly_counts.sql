-- weekly_counts: appearances per ISO week (Monday to Sunday), theme and reach. week looks like '2026-W47'.
-- Every count in every view is cast to BIGINT: a sum() of integers is HUGEINT, which pandas reads
-- as float and polars as Decimal(38, 0) (tests/test_views_contract.py checks every view).
CREATE OR REPLACE VIEW weekly_counts AS
SELECT
    strftime(published_date, '%G-W%V') AS week,
    theme,
    reach,
    CAST(count(*) AS BIGINT) AS appearances
FROM appearances
GROUP BY ALL;
