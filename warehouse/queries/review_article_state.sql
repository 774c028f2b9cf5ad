-- Review desk: one article (by its stored url or any spelling with the same url key) and the
-- decision in force on it, if any.
SELECT a.url, a.outlet, a.title, r.review_id, r.decision, r.reviewer, r.decided_at, r.duplicate_of
FROM articles AS a
LEFT JOIN latest_reviews AS r ON r.article_url = a.url
WHERE a.url = $url OR a.url_key = $url_key
ORDER BY a.url = $url DESC
LIMIT 1
