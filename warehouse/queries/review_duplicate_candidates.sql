-- Review desk: counted articles near each listed article ($urls), published within 30 days, that
-- may be the same text. Counting rules §1: the same article under two addresses of ONE outlet is
-- one appearance (a duplicate); the same story republished by ANOTHER outlet is one appearance per
-- outlet (a reprint: it counts apart and is never merged by default). So each candidate says:
--   same_outlet      true for the outlet's own articles, false for other outlets';
--   same_text        the texts' fingerprints are near-duplicates (SimHash within 6 bits of 64, as
--                    syndication.sql), or both are in one syndication group;
--   title_similarity Jaro-Winkler similarity of the lowercased headlines (0 to 1).
-- Other outlets' articles are listed only with the same text or a similar headline (>= 0.85);
-- the outlet's own, all of them (the likely originals to pick from), the most alike first.
WITH pairs AS (
    SELECT a.url AS article_url, ap.url, ap.title, ap.outlet, ap.published_date,
           ap.outlet = a.outlet AS same_outlet,
           coalesce((a.syndication_group IS NOT NULL AND a.syndication_group = o.syndication_group)
                    OR bit_count(xor(a.fingerprint_int, o.fingerprint_int)) <= 6, false) AS same_text,
           coalesce(jaro_winkler_similarity(lower(a.title), lower(ap.title)), 0) AS title_similarity,
           abs(datediff('day', a.published_date, ap.published_date)) AS days_apart
    FROM articles AS a
    JOIN appearances AS ap
      ON ap.url <> a.url AND ap.published_date BETWEEN a.published_date - 30 AND a.published_date + 30
    JOIN articles AS o ON o.url = ap.url
    WHERE a.url IN (SELECT unnest($urls::VARCHAR[]))
)
SELECT *
FROM pairs
WHERE same_outlet OR same_text OR title_similarity >= 0.85
ORDER BY article_url, same_text DESC, title_similarity DESC, days_apart, url
