-- Review desk: the placeholder row of a site now in the registry under another name.
DELETE FROM outlets WHERE name = $outlet AND NOT in_registry
