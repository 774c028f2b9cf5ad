-- Review desk: a person assigns a reach to a site that was not in the registry (kept under its name).
UPDATE outlets
SET reach = $reach, region = $region, language = $language, in_registry = true, updated_at = now()
WHERE name = $outlet AND NOT in_registry
