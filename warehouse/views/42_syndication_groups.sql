-- syndication_groups: stories republished by more than one outlet. Each copy is its own
-- appearance (counting rules §1); this view shows them together.
CREATE OR REPLACE VIEW syndication_groups AS
SELECT
    syndication_group,
    CAST(count(*) AS BIGINT) AS copies,
    list(outlet ORDER BY published_date, url) AS outlets,
    list(url ORDER BY published_date, url) AS urls,
    min(published_date) AS first_published,
    any_value(title) FILTER (WHERE url = syndication_group) AS original_title
FROM appearances
WHERE syndication_group IS NOT NULL
GROUP BY syndication_group;
