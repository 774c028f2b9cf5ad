-- Labels from the review desk: the decision in force on each reviewed article (the latest one,
-- `latest_reviews`), with the article's date, process and outlet reach on that date, and its
-- stored title, text and author. The one definition of "what people decided per article", read
-- by `evaluate --reviews` (warehouse.reviews.review_labels) and by training (flows.labelled.from_reviews).
--   counted: true only when confirmed (a reject or a duplicate does not count)
--   theme:   for a confirmed article, the person's corrected theme, else the tagger's; else NULL
SELECT r.article_url AS url, a.url_key, r.decision,
       r.decision = 'confirm' AS counted,
       CASE WHEN r.decision = 'confirm' THEN coalesce(r.theme, a.theme, 'institutional') END AS theme,
       r.theme AS review_theme, a.theme AS tagger_theme,
       a.process, a.outlet, coalesce(p.reach, 'unclassified') AS reach,
       a.published_date::VARCHAR AS date, a.title, a.main_text AS text, a.author,
       r.duplicate_of, r.note, r.reviewer, r.decided_at
FROM latest_reviews AS r
JOIN articles AS a ON a.url = r.article_url
LEFT JOIN outlet_reach_periods AS p
    ON p.outlet = a.outlet AND a.published_date BETWEEN p.valid_from AND p.valid_until
ORDER BY r.decided_at, r.article_url
