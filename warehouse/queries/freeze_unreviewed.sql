-- Before freezing year $year: appearances it counts that no person decided on (the tagger's word only).
SELECT url, outlet, published_date, title
FROM appearances
WHERE year(published_date) = $year AND decided_by = 'tagger'
ORDER BY published_date, outlet, url
