-- Review desk: sites not in the registry, with how many articles and appearances they carry,
-- most appearances first, and one recent headline to recognise them.
SELECT o.name AS outlet, o.domains,
       count(a.url)::INTEGER AS articles,
       count(ap.url)::INTEGER AS appearances,
       max(a.published_date) AS last_published,
       arg_max(a.title, a.published_date) AS example_title,
       arg_max(a.url, a.published_date) AS example_url
FROM outlets AS o
LEFT JOIN articles AS a ON a.outlet = o.name
LEFT JOIN appearances AS ap ON ap.url = a.url
WHERE NOT o.in_registry
GROUP BY o.name, o.domains
ORDER BY appearances DESC, articles DESC, o.name
