-- Retag: every stored article's URL, in a stable order so batches are reproducible.
SELECT url FROM articles ORDER BY url
