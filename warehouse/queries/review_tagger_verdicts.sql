-- The tagger's own verdicts (reviews NOT applied) on the articles a person reviewed, shaped like
-- evaluation_appearances.sql, so flows.evaluate.score can compare them with review_labels.
SELECT a.url, a.url_key, a.outlet, coalesce(p.reach, 'unclassified') AS reach,
       a.published_date::VARCHAR AS date, coalesce(a.theme, 'institutional') AS theme, a.process
FROM articles AS a
LEFT JOIN outlet_reach_periods AS p
    ON p.outlet = a.outlet AND a.published_date BETWEEN p.valid_from AND p.valid_until
WHERE a.is_appearance
  AND a.url IN (SELECT article_url FROM latest_reviews)
