-- Review desk: every decision ever taken on one article ($url), oldest first, undos included
-- (an undo's `note` holds the review_id it undid; see warehouse.reviews.undo_last), and whether
-- each one was itself undone.
SELECT r.review_id, r.decision, r.theme, r.duplicate_of, r.note, r.reviewer, r.decided_at,
       r.review_id IN (SELECT u.note FROM reviews AS u WHERE u.decision = 'undo' AND u.note IS NOT NULL) AS undone
FROM reviews AS r
WHERE r.article_url = $url
ORDER BY r.decided_at, r.review_id
