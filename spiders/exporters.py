"""Scrapy's feed exports (`scrapy crawl monitor -O pages.jsonl`) with the page body as text.

A `FetchedPage` carries the body as bytes: that is what the monitor stages and hashes, and
what extraction decodes later. Scrapy's exporters cannot write bytes as JSON ("bytes is not
JSON serializable") and decode them as UTF-8 for CSV and XML, which breaks on a page served
in Latin-1. A serializer on the field only sees the bytes, not how the response said they
are encoded, so these exporters decode the body the way Scrapy decoded the response: a
`TextResponse` rebuilt from the stored Content-Type and body finds the same encoding (the
header, a BOM, `<meta charset>` or the XML declaration, then inference), since those are
all Scrapy looks at. Everything else in the monitor's items is already text or a number.
Registered in `FEED_EXPORTERS` (spiders/settings.py) for the text formats.
"""
from __future__ import annotations

from dataclasses import asdict
from typing import Any

from scrapy.exporters import CsvItemExporter, JsonItemExporter, JsonLinesItemExporter, XmlItemExporter
from scrapy.http import TextResponse

from pipelines.records import FetchedPage


def body_text(page: FetchedPage) -> str:
    """The page's body decoded with the encoding Scrapy found for its response ('' if none)."""
    if not page.body:       # failed fetches and non-text pages carry no body
        return ""
    headers = {"Content-Type": page.content_type} if page.content_type else {}
    return TextResponse(url=page.final_url or page.url, body=page.body, headers=headers).text


class TextBodyMixin:
    """Exports `FetchedPage.body` as text; every other field and item as Scrapy would.

    The page becomes a plain dict (same fields, same order) before Scrapy's own `export_item`:
    that hook exists in every Scrapy we support, unlike the per-field ones that see the item."""

    def export_item(self, item: Any) -> Any:
        if isinstance(item, FetchedPage):
            item = {**asdict(item), "body": body_text(item)}
            item.pop("body_gz")       # how a staged file stores the body: not part of the page
        return super().export_item(item)


class TextBodyJsonLinesItemExporter(TextBodyMixin, JsonLinesItemExporter):
    pass


class TextBodyJsonItemExporter(TextBodyMixin, JsonItemExporter):
    pass


class TextBodyCsvItemExporter(TextBodyMixin, CsvItemExporter):
    pass


class TextBodyXmlItemExporter(TextBodyMixin, XmlItemExporter):
    pass
