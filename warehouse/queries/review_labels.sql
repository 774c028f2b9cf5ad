-- Labels from the review desk, for scoring the tagger: the decision in force on each reviewed
-- article, with the article's date, process and outlet reach on that date.
SELECT r.article_url AS url, a.url_key, r.decision, r.theme AS review_theme, a.theme AS tagger_theme,
       a.process, a.outlet, coalesce(p.reach, 'unclassified') AS reach,
       a.published_date::VARCHAR AS date, r.duplicate_of, r.note, r.reviewer, r.decided_at
FROM latest_reviews AS r
JOIN articles AS a ON a.url = r.article_url
LEFT JOIN outlet_reach_periods AS p
    ON p.outlet = a.outlet AND a.published_date BETWEEN p.valid_from AND p.valid_until
ORDER BY r.decided_at, r.article_url
