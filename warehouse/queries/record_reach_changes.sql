-- After outlets are updated: record every outlet whose reach differs from the reach in force.
-- A first classification (from nothing or from 'unclassified') applies to the outlet's whole past;
-- a change between classified reaches applies from today (Mexico City) on.
WITH current AS (
    SELECT outlet, arg_max(reach, (valid_from, recorded_at)) AS reach
    FROM outlet_reach_history
    GROUP BY outlet
)
INSERT INTO outlet_reach_history (outlet, reach, valid_from, source)
SELECT o.name,
       o.reach,
       CASE WHEN c.reach IS NULL OR c.reach = 'unclassified' THEN DATE '0001-01-01' ELSE current_date END,
       $source
FROM outlets AS o
LEFT JOIN current AS c ON c.outlet = o.name
WHERE c.reach IS DISTINCT FROM o.reach
