-- One row per crawl run ($1 run_id ... $8 stats): recording a run again replaces its outcome.
MERGE INTO crawl_runs AS r
USING (SELECT ?::VARCHAR AS run_id, ?::TIMESTAMPTZ AS started_at, ?::TIMESTAMPTZ AS finished_at, ?::VARCHAR AS sources,
              ?::DATE AS since, ?::DATE AS until, ?::VARCHAR AS status, ?::JSON AS stats) AS b
ON r.run_id = b.run_id
WHEN MATCHED THEN UPDATE SET finished_at = b.finished_at, status = b.status, stats = b.stats
WHEN NOT MATCHED THEN INSERT VALUES (b.run_id, b.started_at, b.finished_at, b.sources, b.since, b.until, b.status, b.stats);
