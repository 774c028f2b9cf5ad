-- Weekly report: the successful crawl runs that looked at any day from $start to $end (Mexico
-- City dates): a run looked at the day it started (its feeds list that week's articles) and at
-- every day of its --since/--until window (sitemaps; no --until means up to the day it ran).
-- The report counts a week as "monitored" when one of these runs touched it (flows/report/weekly.py).
WITH runs AS (
    SELECT run_id, timezone('America/Mexico_City', started_at)::DATE AS ran_on, since, until
    FROM crawl_runs
    WHERE status = 'ok' AND started_at IS NOT NULL
)
SELECT run_id, ran_on, since, coalesce(until, ran_on) AS until
FROM runs
WHERE ran_on BETWEEN $start AND $end
   OR (since IS NOT NULL AND since <= $end AND coalesce(until, ran_on) >= $start)
ORDER BY ran_on, run_id
