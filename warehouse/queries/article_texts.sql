-- Retag: what the tagger reads of each article in the batch $urls (title and text never NULL).
SELECT url, coalesce(title, '') AS title, coalesce(main_text, '') AS text, author
FROM articles
WHERE url IN (SELECT unnest($urls::VARCHAR[]))
ORDER BY url
