-- Review desk: the ISO weeks that have articles, newest first (the week picker).
SELECT DISTINCT strftime(published_date, '%G-W%V') AS week
FROM articles
ORDER BY week DESC
LIMIT 60
