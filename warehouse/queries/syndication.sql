-- Syndication groups: articles of *different* outlets whose texts are near-duplicates
-- (SimHash within 6 bits of 64) are copies of one story: still one appearance per outlet
-- (counting rules §1), linked by the url of the earliest copy (by date, then url).
--
-- Incremental: only the articles just loaded (temp table batch_urls) are compared with
-- the rest, so the cost of a batch does not grow with the size of the database.
-- Candidates must share one of four 16-bit bands of the fingerprint (two fingerprints
-- within 6 bits always do), which keeps the join small.
WITH banded AS (
    SELECT url, outlet, fingerprint_int AS fp,
           unnest([fingerprint_int >> 48, (fingerprint_int >> 32) & 65535,
                   (fingerprint_int >> 16) & 65535, fingerprint_int & 65535]) AS band,
           unnest([0, 1, 2, 3]) AS band_no
    FROM articles
    WHERE fingerprint_int IS NOT NULL AND length(main_text) >= 200
),
new AS (
    SELECT * FROM banded WHERE url IN (SELECT url FROM batch_urls)
),
pairs AS (
    SELECT DISTINCT n.url, b.url AS partner
    FROM new AS n
    JOIN banded AS b
      ON n.band_no = b.band_no AND n.band = b.band AND n.url <> b.url AND n.outlet <> b.outlet
    WHERE bit_count(xor(n.fp, b.fp)) <= 6
),
-- everyone already linked to a partner belongs to the same story
members AS (
    SELECT url, partner AS member FROM pairs
    UNION SELECT DISTINCT url, url FROM pairs
    UNION SELECT p.url, x.url FROM pairs AS p
          JOIN articles AS m ON m.url = p.partner
          JOIN articles AS x ON x.syndication_group = m.syndication_group
),
heads AS (
    SELECT m.url, arg_min(m.member, (a.published_date, m.member)) AS head
    FROM members AS m JOIN articles AS a ON a.url = m.member
    GROUP BY m.url
),
final AS (
    SELECT DISTINCT m.member AS url, h.head AS syndication_group
    FROM heads AS h JOIN members AS m ON m.url = h.url
)
UPDATE articles SET syndication_group = final.syndication_group
FROM final
WHERE articles.url = final.url AND articles.syndication_group IS DISTINCT FROM final.syndication_group;
