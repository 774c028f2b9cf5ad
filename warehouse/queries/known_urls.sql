-- Addresses the next crawl need not fetch again: stored articles, and pages already found
-- not to be articles (PDFs, tag pages). Error pages are tried again.
SELECT url_key AS url FROM articles
UNION
SELECT DISTINCT url FROM skipped_pages WHERE reason IN ('not_html', 'not_an_article')
