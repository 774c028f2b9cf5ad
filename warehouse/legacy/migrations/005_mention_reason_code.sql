-- 005: every mention keeps its reason as a code analysts group by (`reason_code`, a value of
-- nlp.reasons.ReasonCode) and in Spanish (`reason_es`, what the review desk shows), next to
-- the English `reason`.
--
-- Deliberately a rebuild, not ALTER TABLE ... ADD COLUMN: DuckDB 1.5.5 cannot replay some
-- ADD COLUMNs from its write-ahead log after a crash (see 004). The rows are copied to a
-- temporary table (never written to the log), the table is dropped and created again with
-- the new columns, and the rows come back: the log holds only DROP, CREATE and INSERT,
-- which DuckDB always replays. The whole file runs in one transaction (warehouse/db.py).
--
-- Old rows: `reason_code` is derived from the English text the tagger wrote (the wordings
-- of nlp/reasons.py and of the tagger before it); a text it does not recognise stays NULL.
-- `reason_es` stays NULL: the desk then shows `reason`. A retag fills both.
CREATE TEMP TABLE mentions_before_005 AS SELECT * FROM mentions;

DROP TABLE mentions;

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

INSERT INTO mentions
SELECT article_url, seq, entity_id, entity_kind, theme, field, start_char, end_char, matched, snippet,
       accepted, reason,
       CASE
           WHEN reason IS NULL THEN NULL
           -- decided on the article's context: the text ends with the score, e.g.
           -- "context: EDF, parque eólico (score 6 >= 2)" or "... (model 0.91; score 6 >= 2)"
           WHEN reason LIKE '%score % >= %)' OR reason LIKE '%score % < %)' THEN
               CASE
                   WHEN accepted THEN 'context'
                   WHEN reason LIKE 'named only in passing%' THEN 'passing_mention'
                   WHEN reason LIKE 'look-alike:%' THEN 'lookalike_context'
                   ELSE 'insufficient_context'
               END
           WHEN reason = 'unambiguous name' THEN 'unambiguous_name'
           WHEN reason LIKE 'acronym%' THEN 'acronym'
           WHEN reason LIKE 'signed by%' THEN 'byline'
           WHEN reason LIKE 'same % named unambiguously%' THEN 'same_entity'
           WHEN reason LIKE 'look-alike: other person%' THEN 'other_person'
           WHEN reason LIKE 'look-alike:%' THEN 'lookalike_name'
           WHEN reason LIKE 'missing required context%' THEN 'missing_required'
       END AS reason_code,
       NULL AS reason_es
FROM mentions_before_005;

DROP TABLE mentions_before_005;
