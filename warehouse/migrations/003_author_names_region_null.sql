-- 003: the byline parsed, and "no region" as NULL (issue 16).
-- `author` stays the text the extractor gave (the tagger reads it for signed columns); these
-- are derived from it, or from the page's metadata or visible byline when the extractor found
-- none (pipelines/authors.py, pipelines/extract.py). The bylines already stored are parsed
-- once, right after this file is applied (warehouse.load.fill_author_names). NULL: stored before
-- with no author at all (its page is not re-read); []: parsed, no person signed.
ALTER TABLE articles ADD COLUMN author_names VARCHAR[];
ALTER TABLE articles ADD COLUMN desk_byline VARCHAR;        -- 'Redacción', 'AFP', the outlet itself...
ALTER TABLE articles ADD COLUMN author_source VARCHAR;      -- extractor | metadata | byline

-- sources.yaml writes region "" for a national or international outlet; it was stored as is.
UPDATE outlets SET region = NULL WHERE region = '';
UPDATE outlet_reviews SET region = NULL WHERE region = '';
