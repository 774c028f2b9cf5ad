-- Review desk: who classified the outlet, and when.
INSERT INTO outlet_reviews (review_id, outlet, was_named, domains, reach, region, language, reviewer, decided_at)
VALUES ($review_id, $outlet, $was_named, $domains, $reach, $region, $language, $reviewer, $decided_at)
