-- 001: the schema on DuckLake (issue 14). It is the previous storage's migrations 001-005 as
-- they ended (warehouse/legacy/migrations/), without PRIMARY KEY and UNIQUE, which lake
-- tables do not have: the loader merges on keys (MERGE INTO) and serialises its writes
-- through `writer_turn` (warehouse/db.py). Every later change is a new numbered file;
-- never edit an applied one.

-- Outlets: one row per outlet in the registry, plus hosts seen but not in it (reach 'unclassified').
CREATE TABLE outlets (
    name        VARCHAR NOT NULL,     -- as in sources.yaml; for an unknown host, the host itself
    reach       VARCHAR NOT NULL,        -- local | national | international | unclassified
    region      VARCHAR,                 -- the state, for local outlets
    language    VARCHAR,
    domains     VARCHAR[],
    in_registry BOOLEAN NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL
);

-- Articles: one row per article (canonical URL). Re-crawling updates the row in place.
CREATE TABLE articles (
    url               VARCHAR NOT NULL,   -- canonical URL
    url_key           VARCHAR NOT NULL, -- scheme- and slash-free identity used to merge variants
    fetched_url       VARCHAR,
    outlet            VARCHAR NOT NULL,
    domain            VARCHAR NOT NULL,
    title             VARCHAR,
    author            VARCHAR,
    language          VARCHAR,
    main_text         VARCHAR,               -- title excluded: lead and body as extracted
    published_at      TIMESTAMPTZ,           -- when the source states a time
    published_date    DATE NOT NULL,         -- Mexico City date used for every count
    date_source       VARCHAR NOT NULL,      -- metadata | byline | listing | extractor | first_seen
    discovered_via    VARCHAR,               -- feed | discovery | sitemap
    source_url        VARCHAR,               -- the feed or sitemap that listed it
    first_seen        TIMESTAMPTZ NOT NULL,
    fetched_at        TIMESTAMPTZ NOT NULL,
    fingerprint       VARCHAR,               -- SimHash of the text (hex), for syndication
    fingerprint_int   UBIGINT,               -- the same SimHash as a number, for bit distances in SQL
    syndication_group VARCHAR,               -- url of the earliest copy of the same story, if copied
    raw_sha1          VARCHAR,
    is_appearance     BOOLEAN NOT NULL,      -- the tagger's verdict per the counting rules
    theme             VARCHAR,               -- primary theme when it is an appearance
    process           VARCHAR,               -- primary accompanied process, if any
    secondary_themes  VARCHAR[],
    kb_version        VARCHAR,               -- knowledge base the verdict was made with
    tagged_at         TIMESTAMPTZ
);

-- Mentions: every candidate the tagger found, accepted or rejected, with why.
CREATE TABLE mentions (
    article_url VARCHAR NOT NULL,
    seq         INTEGER NOT NULL,
    entity_id   VARCHAR NOT NULL,
    entity_kind VARCHAR,
    theme       VARCHAR,
    field       VARCHAR NOT NULL,            -- title | text | author
    start_char  INTEGER NOT NULL,
    end_char    INTEGER NOT NULL,
    matched     VARCHAR,
    snippet     VARCHAR,
    accepted    BOOLEAN NOT NULL,
    reason      VARCHAR,                     -- why, in English
    reason_code VARCHAR,                     -- why, as a code (nlp/reasons.py ReasonCode; docs/warehouse.md)
    reason_es   VARCHAR                      -- why, in Spanish
    -- one set of rows per article, replaced whole on every (re)tag
);

-- The knowledge base the tagger used (a copy, so analysts can join names to ids).
CREATE TABLE entities (
    id      VARCHAR NOT NULL,
    name    VARCHAR NOT NULL,
    kind    VARCHAR,
    theme   VARCHAR,
    aliases VARCHAR[]
);

-- Raw pages, compressed, so text can be re-extracted without fetching again.
CREATE TABLE raw_pages (
    sha1         VARCHAR NOT NULL,
    url          VARCHAR NOT NULL,
    content_type VARCHAR,
    fetched_at   TIMESTAMPTZ,
    body_gz      BLOB
);

-- Pages that were fetched (or failed) but are not articles, and why.
CREATE TABLE skipped_pages (
    url        VARCHAR NOT NULL,
    run_id     VARCHAR NOT NULL,
    outlet     VARCHAR,
    reason     VARCHAR NOT NULL,             -- not_html | http_error | empty | not_an_article | no_text | fetch_failed
    detail     VARCHAR,
    seen_at    TIMESTAMPTZ
);

-- What each crawl run did.
CREATE TABLE crawl_runs (
    run_id      VARCHAR NOT NULL,
    started_at  TIMESTAMPTZ,
    finished_at TIMESTAMPTZ,
    sources     VARCHAR,
    since       DATE,
    until       DATE,
    status      VARCHAR,
    stats       JSON
);

-- 002: what people decide and what the organisation publishes.

-- Reach history: a reach change applies from a date on and never rewrites the past.
-- The reach of an appearance is the outlet's reach in effect on its publication date.
CREATE TABLE outlet_reach_history (
    outlet      VARCHAR NOT NULL,
    reach       VARCHAR NOT NULL,          -- local | national | international | unclassified
    valid_from  DATE NOT NULL,             -- 0001-01-01 for "always" (first classification)
    recorded_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    source      VARCHAR                    -- registry | review | migration
);

-- Reviews: a person's decision on an article overrides the tagger in every view and tally.
-- The latest review of an article is the one in force; earlier ones stay as history.
CREATE TABLE reviews (
    review_id    VARCHAR NOT NULL,
    article_url  VARCHAR NOT NULL,
    decision     VARCHAR NOT NULL,         -- confirm | reject | duplicate
    theme        VARCHAR,                  -- corrected primary theme (confirm only)
    duplicate_of VARCHAR,                  -- the article it repeats (duplicate only)
    note         VARCHAR,
    reviewer     VARCHAR NOT NULL,
    decided_at   TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Manual appearances: print, radio, TV and anything the crawler cannot see.
CREATE TABLE manual_appearances (
    manual_id      VARCHAR NOT NULL,    -- stable id: the same CSV row loaded twice is one row
    outlet         VARCHAR NOT NULL,
    reach          VARCHAR,                -- when the outlet is not in the registry
    medium         VARCHAR NOT NULL,       -- print | radio | tv | online | other
    published_date DATE NOT NULL,
    theme          VARCHAR NOT NULL,
    process        VARCHAR,
    title          VARCHAR NOT NULL,
    url            VARCHAR,
    note           VARCHAR,
    added_by       VARCHAR,
    added_at       TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Frozen tallies: the appearances a published year counted, as they were when it was printed.
CREATE TABLE frozen_tallies (
    year      INTEGER NOT NULL,
    frozen_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    frozen_by VARCHAR,
    note      VARCHAR,
    total     INTEGER NOT NULL,
    snapshot_id BIGINT                   -- the lake snapshot it was counted on (tally --as-frozen recomputes from it)
);
CREATE TABLE frozen_appearances (
    year           INTEGER NOT NULL,
    url            VARCHAR NOT NULL,
    outlet         VARCHAR,
    reach          VARCHAR,
    published_date DATE,
    theme          VARCHAR,
    process        VARCHAR,
    title          VARCHAR,
    origin         VARCHAR
);

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

-- 004: the review desk. Who gave a reach to an outlet that was not in the registry, and when.
-- (outlet_reach_history records the reach itself, with source 'review'.) Reviews of articles
-- already record who and when in `reviews`.
CREATE TABLE outlet_reviews (
    review_id   VARCHAR NOT NULL,
    outlet      VARCHAR NOT NULL,          -- the outlet's name from now on (as added to sources.yaml)
    was_named   VARCHAR NOT NULL,          -- its name before (the host, for a site not in the registry)
    domains     VARCHAR[],
    reach       VARCHAR NOT NULL,          -- local | national | international
    region      VARCHAR,
    language    VARCHAR,
    reviewer    VARCHAR NOT NULL,
    decided_at  TIMESTAMPTZ NOT NULL
);

-- One row that every write transaction updates first. Lake tables have no unique keys, so two
-- loaders inserting the same new URL at once would both succeed; updating the same row makes
-- the second commit fail with a conflict, and it is retried on top of the first's rows.
CREATE TABLE writer_turn (
    turn       BIGINT NOT NULL,
    last_by    VARCHAR,
    last_at    TIMESTAMPTZ
);
INSERT INTO writer_turn VALUES (0, NULL, NULL);
