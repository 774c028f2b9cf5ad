-- Outlets from the registry (outlets_batch): the registry's word wins; a host first seen in a
-- crawl is added as 'unclassified' and never overwrites what a person classified.
MERGE INTO outlets USING outlets_batch AS b ON outlets.name = b.name
WHEN MATCHED AND b.in_registry THEN UPDATE SET reach = b.reach, region = b.region,
     language = b.language, domains = b.domains, in_registry = true, updated_at = b.updated_at
WHEN NOT MATCHED THEN INSERT VALUES (b.name, b.reach, b.region, b.language, b.domains, b.in_registry, b.updated_at);
