-- Review desk: a person classifies a site under a proper name ($name): the outlet is added with
-- the site's domains; review_outlet_move.sql then moves its articles and drops the placeholder.
INSERT INTO outlets (name, reach, region, language, domains, in_registry, updated_at)
SELECT $name, $reach, $region, $language, domains, true, now()
FROM outlets
WHERE name = $outlet AND NOT in_registry
