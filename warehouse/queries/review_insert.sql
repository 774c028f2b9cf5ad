-- Review desk: a person's decision. Reviews are only ever inserted: the latest (by decided_at)
-- is the one in force, earlier ones stay as history, so two people never overwrite each other.
INSERT INTO reviews (review_id, article_url, decision, theme, duplicate_of, note, reviewer, decided_at)
VALUES ($review_id, $url, $decision, $theme, $duplicate_of, $note, $reviewer, $decided_at)
