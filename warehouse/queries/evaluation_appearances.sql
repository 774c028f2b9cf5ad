-- What the evaluation compares with the labels: every appearance with its article's URL key.
SELECT a.url, ar.url_key, a.outlet, a.reach, a.published_date::VARCHAR AS date, a.theme, a.process
FROM appearances AS a
JOIN articles AS ar USING (url)
