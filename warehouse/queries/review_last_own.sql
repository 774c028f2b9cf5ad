-- Review desk: the reviewer's ($reviewer) latest decision that is not an undo and has not been
-- undone already: what "undo my last decision" takes back. Undoing again takes back the one before.
SELECT r.review_id, r.article_url AS url, r.decision, r.theme, r.decided_at, a.title
FROM reviews AS r
LEFT JOIN articles AS a ON a.url = r.article_url
WHERE r.reviewer = $reviewer AND r.decision <> 'undo'
  AND r.review_id NOT IN (SELECT u.note FROM reviews AS u WHERE u.decision = 'undo' AND u.note IS NOT NULL)
ORDER BY r.decided_at DESC, r.review_id DESC
LIMIT 1
