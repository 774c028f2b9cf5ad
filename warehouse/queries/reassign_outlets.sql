-- When a host is added to the registry (e.g. a site first seen as 'unclassified'), its stored
-- articles move to the registry outlet, so they are counted under it without a re-crawl.
UPDATE articles SET outlet = o.name
FROM outlets AS o
WHERE o.in_registry
  AND list_contains(o.domains, articles.domain)
  AND articles.outlet <> o.name;
