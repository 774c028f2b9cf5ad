-- yearly_tally: appearances per calendar year of publication (Mexico City), theme and reach.
CREATE OR REPLACE VIEW yearly_tally AS
SELECT
    year(published_date) AS year,
    theme,
    reach,
    count(*) AS appearances
FROM appearances
GROUP BY ALL;
