-- Review desk: how many articles each tab holds under the same filters as review_items.sql
-- (the numbers on the tabs). The WHERE clause is review_items.sql's, without the tab.
SELECT b.tab, count(*)::INTEGER AS n
FROM review_articles AS b
WHERE b.tab IS NOT NULL
  AND b.published_date BETWEEN $start AND $end
  AND ($theme = '' OR b.theme = $theme)
  AND ($process = '' OR b.process = $process)
  AND ($outlet = '' OR b.outlet = $outlet)
  AND ($reach = '' OR b.reach = $reach)
  AND ($pattern = '' OR b.title ILIKE $pattern ESCAPE '\'
       OR EXISTS (SELECT 1 FROM mentions AS m WHERE m.article_url = b.url AND m.snippet ILIKE $pattern ESCAPE '\'))
GROUP BY b.tab
