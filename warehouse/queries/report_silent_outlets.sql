-- Weekly report: outlets whose feeds gave nothing in each of their last runs (view silent_outlets).
SELECT s.outlet, s.silent_runs::INTEGER AS silent_runs, s.silent_since, s.last_problem, o.reach
FROM silent_outlets AS s
LEFT JOIN outlets AS o ON o.name = s.outlet
ORDER BY s.silent_since, s.outlet
