-- Syndication groups: articles of *different* outlets whose texts are near-duplicates
-- (SimHash within 6 bits of 64) are copies of one story: still one appearance per outlet
-- (counting rules §1), linked by the url of the earliest copy (by date, then url).
-- Candidates must share one of four 16-bit bands of the fingerprint, so the join stays
-- small however many articles there are (two fingerprints within 6 bits always share a band).
UPDATE articles SET syndication_group = NULL WHERE syndication_group IS NOT NULL;

WITH banded AS (
    SELECT url, outlet, fingerprint_int AS fp,
           unnest([fingerprint_int >> 48, (fingerprint_int >> 32) & 65535,
                   (fingerprint_int >> 16) & 65535, fingerprint_int & 65535]) AS band,
           unnest([0, 1, 2, 3]) AS band_no
    FROM articles
    WHERE fingerprint_int IS NOT NULL AND length(main_text) >= 200
),
pairs AS (
    SELECT DISTINCT a.url, b.url AS member
    FROM banded AS a
    JOIN banded AS b
      ON a.band_no = b.band_no AND a.band = b.band AND a.url <> b.url AND a.outlet <> b.outlet
    WHERE bit_count(xor(a.fp, b.fp)) <= 6
),
members AS (
    SELECT url, member FROM pairs
    UNION
    SELECT DISTINCT url, url FROM pairs
),
final AS (
    SELECT m.url, arg_min(m.member, (a.published_date, m.member)) AS syndication_group
    FROM members AS m
    JOIN articles AS a ON a.url = m.member
    GROUP BY m.url
)
UPDATE articles SET syndication_group = final.syndication_group
FROM final
WHERE articles.url = final.url;
