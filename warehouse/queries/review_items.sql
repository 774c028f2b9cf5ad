-- Review desk: articles to go through, published from $start to $end, at most $limit;
-- case names in $lang ('es' or 'en').
--   $view = 'new'       appearances the tagger counted that no person has decided on yet;
--   $view = 'rejected'  articles with candidate mentions the tagger did not count, undecided;
--   $view = 'reviewed'  articles a person decided on (the decision in force, newest first).
-- `counted`, `theme` and `reach` are what every report and tally uses now (reviews applied).
WITH base AS (
    SELECT a.url, a.outlet, a.title, a.published_date, a.is_appearance, a.theme AS tagger_theme,
           a.process, CASE WHEN $lang = 'en' THEN coalesce(e.name_en, e.name) ELSE e.name END AS process_name, a.syndication_group,
           r.review_id, r.decision, r.theme AS review_theme, r.duplicate_of, r.note, r.reviewer, r.decided_at,
           ap.url IS NOT NULL AS counted,
           coalesce(ap.theme, r.theme, a.theme,
                    (SELECT arg_min(m.theme, m.seq) FROM mentions AS m WHERE m.article_url = a.url AND m.theme IS NOT NULL),
                    'institutional') AS theme,
           coalesce(ap.reach, p.reach, 'unclassified') AS reach,
           (SELECT count(*) FROM reviews AS rr WHERE rr.article_url = a.url) AS decisions
    FROM articles AS a
    LEFT JOIN latest_reviews AS r ON r.article_url = a.url
    LEFT JOIN appearances AS ap ON ap.url = a.url
    LEFT JOIN outlet_reach_periods AS p
        ON p.outlet = a.outlet AND a.published_date BETWEEN p.valid_from AND p.valid_until
    LEFT JOIN entities AS e ON e.id = a.process
    WHERE a.published_date BETWEEN $start AND $end
)
SELECT *
FROM base
WHERE CASE $view
        WHEN 'new' THEN review_id IS NULL AND is_appearance
        WHEN 'rejected' THEN review_id IS NULL AND NOT is_appearance
                             AND EXISTS (SELECT 1 FROM mentions AS m WHERE m.article_url = base.url)
        WHEN 'reviewed' THEN review_id IS NOT NULL
        ELSE false
      END
ORDER BY CASE WHEN $view = 'reviewed' THEN epoch(decided_at) END DESC NULLS LAST,
         published_date DESC, url
LIMIT $limit
