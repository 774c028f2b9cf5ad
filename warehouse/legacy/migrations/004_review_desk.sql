-- 004: the review desk. Who gave a reach to an outlet that was not in the registry, and when.
-- (outlet_reach_history records the reach itself, with source 'review'.) Reviews of articles
-- already record who and when in `reviews`.
-- Deliberately a new table, not ALTER TABLE ... ADD COLUMN: DuckDB 1.5.5 cannot replay a
-- write-ahead log holding an ADD COLUMN on a table with a DEFAULT now() column.
CREATE TABLE outlet_reviews (
    review_id   VARCHAR PRIMARY KEY,
    outlet      VARCHAR NOT NULL,          -- the outlet's name from now on (as added to sources.yaml)
    was_named   VARCHAR NOT NULL,          -- its name before (the host, for a site not in the registry)
    domains     VARCHAR[],
    reach       VARCHAR NOT NULL,          -- local | national | international
    region      VARCHAR,
    language    VARCHAR,
    reviewer    VARCHAR NOT NULL,
    decided_at  TIMESTAMPTZ NOT NULL
);
