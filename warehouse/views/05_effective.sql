-- reach_on_date helpers and the latest review per article: the building blocks of `appearances`.
CREATE OR REPLACE VIEW latest_reviews AS
SELECT * EXCLUDE (rn) FROM (
    SELECT r.*, row_number() OVER (PARTITION BY article_url ORDER BY decided_at DESC, review_id DESC) AS rn
    FROM reviews AS r
) WHERE rn = 1;

-- The reach of each outlet in force on each date: the latest change on or before that date.
CREATE OR REPLACE VIEW outlet_reach_periods AS
SELECT outlet, reach, valid_from,
       coalesce(lead(valid_from) OVER (PARTITION BY outlet ORDER BY valid_from, recorded_at) - 1,
                DATE '9999-12-31') AS valid_until
FROM outlet_reach_history;
