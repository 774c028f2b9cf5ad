-- Review desk: appearances of the same outlets within 30 days of the listed articles ($urls):
-- the likely originals when the machine missed a duplicate (one article under two addresses).
SELECT a.url AS article_url, ap.url, ap.title, ap.published_date
FROM articles AS a
JOIN appearances AS ap
  ON ap.outlet = a.outlet AND ap.url <> a.url
 AND ap.published_date BETWEEN a.published_date - 30 AND a.published_date + 30
WHERE a.url IN (SELECT unnest($urls::VARCHAR[]))
ORDER BY a.url, abs(datediff('day', a.published_date, ap.published_date)), ap.url
