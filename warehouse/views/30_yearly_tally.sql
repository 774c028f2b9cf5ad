-- yearly_tally: appearances per calendar year of publication (Mexico City), theme and reach.
-- tally_cells lists the appearances behind each cell (tests/test_views_contract.py regroups it).
CREATE OR REPLACE VIEW yearly_tally AS
SELECT
    year(published_date) AS year,
    theme,
    reach,
    CAST(count(*) AS BIGINT) AS appearances
FROM appearances
GROUP BY ALL;
