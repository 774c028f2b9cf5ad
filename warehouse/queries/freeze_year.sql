-- Snapshot the appearances year $year counts now, so the published number can be reproduced.
INSERT INTO frozen_appearances
SELECT $year, url, outlet, reach, published_date, theme, process, title, origin
FROM appearances
WHERE year(published_date) = $year;
