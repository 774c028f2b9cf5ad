-- Weekly report: every appearance published from $start to $end (Mexico City dates), with the
-- sentence that mentions ProDESC or the case (an accepted mention in the body first, a body
-- sentence that only repeats the headline after the others, then the title, then any candidate)
-- and every accepted matched text, to highlight. Case names in $lang ('es' or 'en').
WITH week AS (
    SELECT * FROM appearances WHERE published_date BETWEEN $start AND $end
),
best AS (
    SELECT m.article_url,
           arg_min(m.snippet, (NOT m.accepted, m.field <> 'text', m.snippet = a.title, m.seq)) AS snippet,
           list(DISTINCT m.matched) FILTER (WHERE m.accepted) AS matched
    FROM mentions AS m
    JOIN articles AS a ON a.url = m.article_url
    WHERE m.article_url IN (SELECT url FROM week)
    GROUP BY m.article_url
)
SELECT w.url, w.outlet, w.reach, w.published_date, w.theme, w.title, w.process,
       CASE WHEN $lang = 'en' THEN coalesce(e.name_en, e.name) ELSE e.name END AS process_name,
       coalesce(w.syndication_group, w.url) AS story,
       w.syndication_group,
       w.decided_by, w.origin,
       b.snippet, coalesce(b.matched, []) AS matched,
       r.reviewer, r.decided_at, r.note
FROM week AS w
LEFT JOIN best AS b ON b.article_url = w.url
LEFT JOIN entities AS e ON e.id = w.process
LEFT JOIN latest_reviews AS r ON r.article_url = w.url
ORDER BY w.theme, w.published_date, w.outlet, w.url
