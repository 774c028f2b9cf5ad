-- Weekly report: every appearance published from $start to $end (Mexico City dates), with the
-- sentence that mentions ProDESC or the case (an accepted mention in the body first, a body
-- sentence that only repeats the headline after the others, then the title, then any candidate;
-- never the byline: an opinion column signed by Alejandra Ancheita has the accepted mention
-- "Alejandra Ancheita" in its author field, which is no sentence to show), the texts to
-- highlight in that sentence (accepted mentions found in it, less any text a rejected mention
-- found in the same sentence: a look-alike is never marked), the author, the language, the
-- opening of the text (for the report to show when no mention sentence exists), the story
-- (syndication group), the process (named in $lang: 'es' or 'en') and the latest review.
WITH week AS (
    SELECT * FROM appearances WHERE published_date BETWEEN $start AND $end
),
best AS (
    SELECT m.article_url,
           arg_min(m.snippet, (NOT m.accepted, m.field <> 'text', m.snippet = a.title, m.seq)) AS snippet
    FROM mentions AS m
    JOIN articles AS a ON a.url = m.article_url
    WHERE m.article_url IN (SELECT url FROM week) AND m.field <> 'author' AND m.snippet IS NOT NULL
    GROUP BY m.article_url
),
marks AS (
    SELECT b.article_url,
           list(DISTINCT m.matched) FILTER (WHERE m.accepted) AS accepted,
           list(DISTINCT m.matched) FILTER (WHERE NOT m.accepted) AS rejected
    FROM best AS b
    JOIN mentions AS m ON m.article_url = b.article_url AND m.snippet = b.snippet AND m.field <> 'author'
    GROUP BY b.article_url
)
SELECT w.url, w.outlet, w.reach, w.published_date, w.theme, w.title, w.process,
       CASE WHEN $lang = 'en' THEN coalesce(e.name_en, e.name) ELSE e.name END AS process_name,
       coalesce(w.syndication_group, w.url) AS story,
       w.syndication_group,
       w.decided_by, w.origin, w.author, w.language,
       left(a.main_text, 600) AS opening,
       b.snippet,
       list_filter(coalesce(k.accepted, []), x -> NOT list_contains(coalesce(k.rejected, []), x)) AS matched,
       r.reviewer, r.decided_at, r.note
FROM week AS w
LEFT JOIN articles AS a ON a.url = w.url
LEFT JOIN best AS b ON b.article_url = w.url
LEFT JOIN marks AS k ON k.article_url = w.url
LEFT JOIN entities AS e ON e.id = w.process
LEFT JOIN latest_reviews AS r ON r.article_url = w.url
ORDER BY w.theme, w.published_date, w.outlet, w.url
