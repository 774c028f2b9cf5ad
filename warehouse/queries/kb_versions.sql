-- The knowledge-base versions the stored verdicts were made with (retag-if-changed compares them).
SELECT DISTINCT kb_version FROM articles WHERE kb_version IS NOT NULL
