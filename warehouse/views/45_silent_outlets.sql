-- silent_outlets: outlets whose feeds gave nothing (error, empty or broken) in each of their
-- last 3 runs. An unchanged feed (answered 304) is not silent: it still lists its items.
-- Silent outages are the most common complaint about media monitors: review this list weekly.
CREATE OR REPLACE VIEW silent_outlets AS
WITH per_run AS (
    SELECT outlet, run_id, max(checked_at) AS checked_at, CAST(sum(entries) AS BIGINT) AS entries,
           string_agg(DISTINCT coalesce(problem, CASE WHEN status <> 200 THEN 'HTTP ' || status END), '; ') AS problems
    FROM feed_checks
    WHERE via = 'feed'
    GROUP BY outlet, run_id
),
ranked AS (
    SELECT *, row_number() OVER (PARTITION BY outlet ORDER BY checked_at DESC) AS recent
    FROM per_run
)
SELECT outlet, CAST(count(*) AS BIGINT) AS silent_runs, min(checked_at) AS silent_since, any_value(problems) AS last_problem
FROM ranked
WHERE recent <= 3
GROUP BY outlet
HAVING count(*) = 3 AND max(entries) = 0;
