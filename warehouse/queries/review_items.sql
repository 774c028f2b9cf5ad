-- Review desk: the articles of one tab ($view: 'new', 'rejected', 'reviewed'; see
-- views/50_review_articles.sql) published from $start to $end, at most $limit, case names in
-- $lang ('es' or 'en'). Filters, '' for "any": $theme, $process, $outlet, $reach, and $pattern,
-- an ILIKE pattern (backslash escapes) matched against the headline and the mentions' sentences.
-- The WHERE clause is the same as review_counts.sql's: keep them together.
SELECT b.* EXCLUDE (process_name_es, process_name_en),
       CASE WHEN $lang = 'en' THEN b.process_name_en ELSE b.process_name_es END AS process_name
FROM review_articles AS b
WHERE b.tab = $view
  AND b.published_date BETWEEN $start AND $end
  AND ($theme = '' OR b.theme = $theme)
  AND ($process = '' OR b.process = $process)
  AND ($outlet = '' OR b.outlet = $outlet)
  AND ($reach = '' OR b.reach = $reach)
  AND ($pattern = '' OR b.title ILIKE $pattern ESCAPE '\'
       OR EXISTS (SELECT 1 FROM mentions AS m WHERE m.article_url = b.url AND m.snippet ILIKE $pattern ESCAPE '\'))
ORDER BY CASE WHEN $view = 'reviewed' THEN epoch(b.decided_at) END DESC NULLS LAST,
         b.published_date DESC, b.url
LIMIT $limit
