-- 003: every feed and sitemap read, per run: how silent outlets are noticed.
CREATE TABLE feed_checks (
    run_id      VARCHAR NOT NULL,
    listing_url VARCHAR NOT NULL,
    via         VARCHAR,                 -- feed | discovery | sitemap
    outlet      VARCHAR,
    status      INTEGER,                 -- HTTP status; 0 when the site did not answer
    entries     INTEGER NOT NULL,        -- items listed (0 for an empty or broken feed)
    problem     VARCHAR,
    from_cache  BOOLEAN,                 -- unchanged since the previous run (304)
    checked_at  TIMESTAMPTZ
);
