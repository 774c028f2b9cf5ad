-- tally_cells: the appearances behind each cell of yearly_tally, one row each: year, theme and
-- reach are the cell, the rest says which appearance it is. Grouping it by (year, theme, reach)
-- gives yearly_tally exactly (tests/test_views_contract.py): when a number in the annual report
-- is questioned, these are its rows.
CREATE OR REPLACE VIEW tally_cells AS
SELECT
    year(published_date) AS year,
    theme,
    reach,
    url,
    outlet,
    published_date,
    title,
    process
FROM appearances;
