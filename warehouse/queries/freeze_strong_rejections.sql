-- Before freezing year $year: candidates the tagger did not count, that no person decided on, with
-- strong evidence for counting them: a mention whose reason code is one of $codes (passing_mention:
-- the rules' score reached the threshold and only the model said no), or a name in the HEADLINE
-- turned down only for want of context ($title_codes: insufficient_context, missing_required) —
-- a headline that names the case is what a person would check first (see nlp/reasons.py).
SELECT a.url, a.outlet, a.published_date, a.title,
       string_agg(DISTINCT m.matched, ', ' ORDER BY m.matched) AS matched
FROM articles AS a
JOIN mentions AS m ON m.article_url = a.url
LEFT JOIN latest_reviews AS r ON r.article_url = a.url
WHERE year(a.published_date) = $year AND NOT a.is_appearance AND r.review_id IS NULL
  AND NOT m.accepted
  AND (list_contains($codes, m.reason_code) OR (m.field = 'title' AND list_contains($title_codes, m.reason_code)))
GROUP BY ALL
ORDER BY a.published_date, a.outlet, a.url
