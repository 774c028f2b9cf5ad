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
INSERT INTO outlet_reach_history (outlet, reach, valid_from, source)
SELECT name, reach, DATE '0001-01-01', 'migration' FROM outlets;

-- Reviews: a person's decision on an article overrides the tagger in every view and tally.
-- The latest review of an article is the one in force; earlier ones stay as history.
CREATE TABLE reviews (
    review_id    VARCHAR PRIMARY KEY,
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
    manual_id      VARCHAR PRIMARY KEY,    -- stable id: the same CSV row loaded twice is one row
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
    year      INTEGER PRIMARY KEY,
    frozen_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    frozen_by VARCHAR,
    note      VARCHAR,
    total     INTEGER NOT NULL
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
