-- Review desk: one outlet by name, with its domains and whether it is in the registry.
SELECT name, domains, in_registry
FROM outlets
WHERE name = $outlet
