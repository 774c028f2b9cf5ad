"""Scrapy settings for prodesc-monitor: polite by default.

Outside a project Scrapy ignores robots.txt, sends 8 requests at once to a site and
accepts 1 GiB bodies. A small local newspaper must never notice us, so everything
here leans towards slow, identified and capped. Override any of these for one run
with `-s NAME=value` (the tests and benchmarks do, against local servers).
"""
import os

BOT_NAME = "prodesc-monitor"
SPIDER_MODULES = ["spiders"]
NEWSPIDER_MODULE = "spiders"
# `scrapy crawl` checks the spider's arguments before starting (a mistake is one line, exit 2).
COMMANDS_MODULE = "spiders.commands"

# --- Identity: tell site owners who we are and how to reach us -------------------
USER_AGENT = os.environ.get(
    "PRODESC_MONITOR_USER_AGENT",
    "prodesc-monitor/0.1 (press monitor of ProDESC, https://prodesc.org.mx; contact: comunicacion@prodesc.org.mx)",
)

# --- Politeness -------------------------------------------------------------------
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 32                 # across sites; each site still gets at most 2 at a time
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 1.0
DOWNLOAD_DELAY_JITTER = 0.5              # +-50% around DOWNLOAD_DELAY
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0

# Items (and requests) of one response handled at a time. Scrapy's default, 100, starts 100
# asyncio tasks for every response, whatever it yields; ours yield one page or a sitemap's
# requests, and the staging pipeline writes synchronously. At 8 the crawler spends 2.7-2.8 ms
# of CPU per page instead of 4.3-4.5 (bench/backfill.py --crawl-only, docs/performance.md §3).
CONCURRENT_ITEMS = 8

# --- Robustness -------------------------------------------------------------------
DOWNLOAD_TIMEOUT = 30
DNS_TIMEOUT = 15                          # a name that does not resolve in 15 s will not resolve in 60
DOWNLOAD_MAXSIZE = 10 * 1024 * 1024       # a news page is never 10 MB; bigger is a fault
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024
RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
RETRY_BACKOFF_BASE = 2.0                  # seconds before the first retry; doubles each time
RETRY_BACKOFF_MAX = 60.0
DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "spiders.middlewares.BackoffRetryMiddleware": 550,
    "spiders.safety.ListingSafetyMiddleware": 580,   # gzip bombs, XML entities (after HTTP decompression)
    "spiders.safety.NetworkSafetyMiddleware": 760,   # private addresses (after HttpProxyMiddleware, 750)
}
# --- Safety (spiders/safety.py, docs/reliability.md) ----------------------------------
# Hosts, IPs or CIDR networks the crawler may reach although they are private or local
# (a local test server); env PRODESC_MONITOR_ALLOW adds comma-separated entries.
NETWORK_ALLOWLIST = []
# Only http(s) is ever fetched: a feed linking to file:///etc/passwd must not read a local file.
DOWNLOAD_HANDLERS = {"file": None, "data": None, "ftp": None, "s3": None}
REDIRECT_ENABLED = True
REDIRECT_MAX_TIMES = 10
# A feed lists a few hundred entries at most; past this many the rest is never parsed nor fetched
# (counted prodesc/feed_entries_capped): a 100 000-item feed must not become 100 000 requests.
FEED_MAX_ENTRIES = 2000
# HTTP proxies come from http_proxy/https_proxy through Scrapy's HttpProxyMiddleware (on by default).

# --- Incremental runs ---------------------------------------------------------------
# Feeds, sitemaps and robots.txt are cached and revalidated with conditional requests
# (ETag / Last-Modified): an unchanged feed costs a 304, not a download. Articles are
# not cached: the spider skips articles already stored (see MonitorSpider `known`).
HTTPCACHE_ENABLED = True
HTTPCACHE_POLICY = "scrapy.extensions.httpcache.RFC2616Policy"
HTTPCACHE_STORAGE = "scrapy.extensions.httpcache.FilesystemCacheStorage"
HTTPCACHE_DIR = "httpcache"              # set per database by the crawl flow
HTTPCACHE_GZIP = True

# --- Output -----------------------------------------------------------------------
ITEM_PIPELINES = {"pipelines.staging.StagingPipeline": 100}
STAGING_FILE = None        # set per run by the crawl flow: JSON lines of fetched pages (unset: no staging,
                           # a plain `scrapy crawl monitor` only collects pages, e.g. with -O pages.jsonl)
STATS_FILE = None          # set per run: the crawl's stats as JSON

LOG_LEVEL = "INFO"
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
TELNETCONSOLE_ENABLED = False
FEED_EXPORT_ENCODING = "utf-8"
# `scrapy crawl monitor -O pages.jsonl`: Scrapy's exporters, with the page body written as text
# (decoded as Scrapy decoded the response) instead of bytes they cannot serialise (spiders/exporters.py).
FEED_EXPORTERS = {
    "json": "spiders.exporters.TextBodyJsonItemExporter",
    "jsonlines": "spiders.exporters.TextBodyJsonLinesItemExporter",
    "jsonl": "spiders.exporters.TextBodyJsonLinesItemExporter",
    "jl": "spiders.exporters.TextBodyJsonLinesItemExporter",
    "csv": "spiders.exporters.TextBodyCsvItemExporter",
    "xml": "spiders.exporters.TextBodyXmlItemExporter",
}
