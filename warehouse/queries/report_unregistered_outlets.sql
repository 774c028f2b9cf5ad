-- Weekly report: sites not in the registry that published (or were first seen) from $start to $end,
-- to classify. Their appearances count with reach 'unclassified' until a person assigns one.
SELECT a.outlet,
       count(*)::INTEGER AS articles,
       count(ap.url)::INTEGER AS appearances,
       arg_max(a.url, a.published_date) AS example_url,
       arg_max(a.title, a.published_date) AS example_title,
       max(a.published_date) AS last_published
FROM articles AS a
JOIN outlets AS o ON o.name = a.outlet
LEFT JOIN appearances AS ap ON ap.url = a.url
WHERE NOT o.in_registry
  AND (a.published_date BETWEEN $start AND $end OR CAST(a.first_seen AS DATE) BETWEEN $start AND $end)
GROUP BY a.outlet
ORDER BY appearances DESC, articles DESC, a.outlet
