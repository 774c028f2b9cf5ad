-- The rows `PRAGMA create_fts_index` writes for {table}, into the tables it made empty in
-- {schema} (warehouse/ftsindex.py says why). Same columns and values; the ids of the terms
-- (`termid`) may be numbered otherwise, and only the index's own joins read them.
-- {schema}, {table} and {stemmer} are our constants (warehouse.search.STEMMERS), never data.

-- Every word of every field, split by the extension's own `tokenize` (one pass over the text).
-- Narrow columns (the article's row number, the field's number): 22 million rows for 50,000 articles.
CREATE OR REPLACE TEMP TABLE fts_tokens AS
    SELECT unnest({schema}.tokenize(title)) AS w, rowid::UINTEGER AS docid,
           (SELECT fieldid FROM {schema}.fields WHERE field = 'title')::UTINYINT AS fieldid
    FROM {table}
    UNION ALL
    SELECT unnest({schema}.tokenize(main_text)), rowid::UINTEGER,
           (SELECT fieldid FROM {schema}.fields WHERE field = 'main_text')::UTINYINT
    FROM {table};

-- Each distinct word stemmed once (the pragma stems every occurrence), and each term numbered.
CREATE OR REPLACE TEMP TABLE fts_words AS
    SELECT w, term, dense_rank() OVER (ORDER BY term) - 1 AS termid
    FROM (SELECT w, stem(w, '{stemmer}') AS term
          FROM (SELECT DISTINCT w FROM fts_tokens WHERE w IS NOT NULL AND len(w) > 0)
          WHERE w NOT IN (SELECT sw FROM {schema}.stopwords));

INSERT INTO {schema}.terms (docid, fieldid, termid)
    SELECT t.docid, t.fieldid, w.termid FROM fts_tokens AS t JOIN fts_words AS w USING (w);
DROP TABLE fts_tokens;

-- df: in how many articles each term occurs.
INSERT INTO {schema}.dict (termid, term, df)
    SELECT w.termid, w.term, n.df
    FROM (SELECT DISTINCT termid, term FROM fts_words) AS w
    JOIN (SELECT termid, count(DISTINCT docid) AS df FROM {schema}.terms GROUP BY termid) AS n USING (termid);
DROP TABLE fts_words;

-- len: the article's terms (0 when it has none, as the pragma's count over no rows).
INSERT INTO {schema}.docs (docid, name, len)
    SELECT a.rowid, a.url, coalesce(n.len, 0)
    FROM {table} AS a
    LEFT JOIN (SELECT docid, count(*) AS len FROM {schema}.terms GROUP BY docid) AS n ON n.docid = a.rowid;

DELETE FROM {schema}.stats;
INSERT INTO {schema}.stats (num_docs, avgdl) SELECT count(docid), sum(len) / count(len) FROM {schema}.docs;
