-- The review desk's articles: one row per stored article with what the desk shows, filters and
-- counts on. One definition for the list (queries/review_items.sql) and the counts on its tabs
-- (queries/review_counts.sql), so a tab's number is always the number of cards under it.
--   tab      'new'      counted by the tagger, no person has decided yet;
--            'rejected' candidate mentions the tagger did not count, undecided;
--            'reviewed' a person decided (the decision in force, `latest_reviews`);
--            NULL       nothing to review (no candidate mention at all).
--   counted, theme, reach: what every report and tally uses now (reviews applied).
CREATE OR REPLACE VIEW review_articles AS
SELECT a.url, a.outlet, a.title, a.published_date, a.is_appearance, a.theme AS tagger_theme,
       a.process, e.name AS process_name_es, coalesce(e.name_en, e.name) AS process_name_en,
       a.syndication_group,
       r.review_id, r.decision, r.theme AS review_theme, r.duplicate_of, r.note, r.reviewer, r.decided_at,
       ap.url IS NOT NULL AS counted,
       coalesce(ap.theme, r.theme, a.theme,
                (SELECT arg_min(m.theme, m.seq) FROM mentions AS m WHERE m.article_url = a.url AND m.theme IS NOT NULL),
                'institutional') AS theme,
       coalesce(ap.reach, p.reach, 'unclassified') AS reach,
       CAST((SELECT count(*) FROM reviews AS rr WHERE rr.article_url = a.url AND rr.decision <> 'undo') AS BIGINT) AS decisions,
       CASE WHEN r.review_id IS NOT NULL THEN 'reviewed'
            WHEN a.is_appearance THEN 'new'
            WHEN EXISTS (SELECT 1 FROM mentions AS m WHERE m.article_url = a.url) THEN 'rejected'
       END AS tab
FROM articles AS a
LEFT JOIN latest_reviews AS r ON r.article_url = a.url
LEFT JOIN appearances AS ap ON ap.url = a.url
LEFT JOIN outlet_reach_periods AS p
    ON p.outlet = a.outlet AND a.published_date BETWEEN p.valid_from AND p.valid_until
LEFT JOIN entities AS e ON e.id = a.process;
