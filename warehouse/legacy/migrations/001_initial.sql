-- 001: the first schema. Every later change is a new numbered file; never edit an applied one.

-- Outlets: one row per outlet in the registry, plus hosts seen but not in it (reach 'unclassified').
CREATE TABLE outlets (
    name        VARCHAR PRIMARY KEY,     -- as in sources.yaml; for an unknown host, the host itself
    reach       VARCHAR NOT NULL,        -- local | national | international | unclassified
    region      VARCHAR,                 -- the state, for local outlets
    language    VARCHAR,
    domains     VARCHAR[],
    in_registry BOOLEAN NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL
);

-- Articles: one row per article (canonical URL). Re-crawling updates the row in place.
CREATE TABLE articles (
    url               VARCHAR PRIMARY KEY,   -- canonical URL
    url_key           VARCHAR NOT NULL UNIQUE, -- scheme- and slash-free identity used to merge variants
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
    field       VARCHAR NOT NULL,            -- title | text
    start_char  INTEGER NOT NULL,
    end_char    INTEGER NOT NULL,
    matched     VARCHAR,
    snippet     VARCHAR,
    accepted    BOOLEAN NOT NULL,
    reason      VARCHAR
    -- one set of rows per article, replaced whole on every (re)tag
);

-- The knowledge base the tagger used (a copy, so analysts can join names to ids).
CREATE TABLE entities (
    id      VARCHAR PRIMARY KEY,
    name    VARCHAR NOT NULL,
    kind    VARCHAR,
    theme   VARCHAR,
    aliases VARCHAR[]
);

-- Raw pages, compressed, so text can be re-extracted without fetching again.
CREATE TABLE raw_pages (
    sha1         VARCHAR PRIMARY KEY,
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
    run_id      VARCHAR PRIMARY KEY,
    started_at  TIMESTAMPTZ,
    finished_at TIMESTAMPTZ,
    sources     VARCHAR,
    since       DATE,
    until       DATE,
    status      VARCHAR,
    stats       JSON
);
