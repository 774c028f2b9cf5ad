-- appearance_themes: one row per appearance and theme it touches: the primary theme
-- (is_primary = true, the one every tally uses) and each secondary theme.
CREATE OR REPLACE VIEW appearance_themes AS
SELECT url, outlet, reach, published_date, theme, true AS is_primary FROM appearances
UNION ALL
SELECT url, outlet, reach, published_date, secondary AS theme, false AS is_primary
FROM (SELECT *, unnest(secondary_themes) AS secondary FROM appearances)
WHERE secondary <> theme;
