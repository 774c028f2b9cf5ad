-- reach_on_date helpers and the latest review per article: the building blocks of `appearances`.
-- An undo (decision 'undo', its `note` the review_id it takes back) is never in force, and the
-- decision it undid no longer counts: the latest of the others is in force, or none (the article
-- is undecided again). Nothing is deleted; the history keeps every row (warehouse.reviews.undo_last).
CREATE OR REPLACE VIEW latest_reviews AS
SELECT * EXCLUDE (rn) FROM (
    SELECT r.*, row_number() OVER (PARTITION BY article_url ORDER BY decided_at DESC, review_id DESC) AS rn
    FROM reviews AS r
    WHERE r.decision <> 'undo'
      AND r.review_id NOT IN (SELECT u.note FROM reviews AS u WHERE u.decision = 'undo' AND u.note IS NOT NULL)
) WHERE rn = 1;

-- The reach of each outlet in force on each date: the latest change on or before that date.
CREATE OR REPLACE VIEW outlet_reach_periods AS
SELECT outlet, reach, valid_from,
       coalesce(lead(valid_from) OVER (PARTITION BY outlet ORDER BY valid_from, recorded_at) - 1,
                DATE '9999-12-31') AS valid_until
FROM outlet_reach_history;
