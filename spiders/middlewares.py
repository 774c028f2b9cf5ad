"""Retries that back off: a busy newspaper server gets more time after each failure.

Scrapy's own RetryMiddleware decides *whether* to retry (status codes, timeouts,
connection errors, the retry limit); this subclass only adds *when*: the retry
waits RETRY_BACKOFF_BASE * 2**(attempt-1) seconds (capped at RETRY_BACKOFF_MAX),
or longer if the server's Retry-After asked for it. The wait is asynchronous, so
other sites keep being crawled meanwhile.
"""
from __future__ import annotations

import asyncio
import logging

from scrapy.downloadermiddlewares.retry import RetryMiddleware

log = logging.getLogger(__name__)


def backoff_delay(attempt: int, base: float, cap: float, retry_after: str | None = None) -> float:
    delay = min(base * 2 ** max(attempt - 1, 0), cap)
    if retry_after and retry_after.strip().isdigit():
        delay = max(delay, min(float(retry_after.strip()), cap))
    return delay


class BackoffRetryMiddleware(RetryMiddleware):
    def __init__(self, settings):
        super().__init__(settings)
        self.base = settings.getfloat("RETRY_BACKOFF_BASE", 1.0)
        self.cap = settings.getfloat("RETRY_BACKOFF_MAX", 60.0)

    def process_response(self, request, response, spider=None):
        result = super().process_response(request, response)
        if result is not response:   # a retry: remember how long the server asked us to wait
            header = response.headers.get("Retry-After")
            result.meta["backoff_retry_after"] = header.decode("latin-1") if header else None
        return result

    def _retry(self, request, reason):
        new = super()._retry(request, reason)
        if new is not None:
            new.meta["backoff_pending"] = True
        return new

    async def process_request(self, request, spider=None):
        if request.meta.pop("backoff_pending", False):
            delay = backoff_delay(request.meta.get("retry_times", 1), self.base, self.cap,
                                  request.meta.pop("backoff_retry_after", None))
            log.debug("Waiting %.1f s before retrying %s", delay, request.url)
            await asyncio.sleep(delay)
        return None
