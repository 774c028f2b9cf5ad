"""Stage records: a failed fetch travels in `FetchedPage.error`, staged files of the older
format (the reason in `content_type`) stay readable, and failures are typed."""
from __future__ import annotations

import base64
import gzip
import json

import pytest

from pipelines.errors import ConfigError, TransientFetchError, UserError
from pipelines.process import process_batch
from pipelines.records import FetchedPage, SkipReason
from pipelines.staging import decode_page, encode_page, read_staged

FAILED = dict(url="http://www.diariouno.example/nota", final_url="http://www.diariouno.example/nota", status=0,
              discovered_via="feed", source_url="http://www.diariouno.example/feed/", listed_at=None,
              listed_title="Nota", fetched_at="2026-11-28T12:00:00+00:00")


class NoTagger:
    def tag(self, *args, **kwargs):
        raise AssertionError("a failed fetch is never tagged")


def _old_format_line(reason: str) -> str:
    """A staged line as crawls wrote it before `FetchedPage.error` existed."""
    record = {**FAILED, "content_type": f"error: {reason}", "body_gz": base64.b64encode(gzip.compress(b"")).decode()}
    return json.dumps(record)


def test_failed_fetch_round_trips_with_its_error():
    page = FetchedPage(**FAILED, content_type="", body=b"", error="DNS lookup failed")
    assert decode_page(encode_page(page)) == page


def test_old_staged_line_reads_its_error_from_content_type():
    page = decode_page(_old_format_line("timed out"))
    assert page.error == "timed out" and page.content_type == ""
    ok = decode_page(json.dumps({**FAILED, "status": 200, "content_type": "text/html; charset=utf-8",
                                 "body_gz": base64.b64encode(gzip.compress(b"<html></html>")).decode()}))
    assert ok.error is None and ok.content_type == "text/html; charset=utf-8"


def test_old_and_new_failed_pages_are_skipped_alike(tmp_path, registry):
    staged = tmp_path / "run.jsonl"
    new = FetchedPage(**{**FAILED, "url": FAILED["url"] + "-2"}, content_type="", body=b"", error="refused: private")
    staged.write_text(_old_format_line("refused: private") + "\n" + encode_page(new) + "\n", encoding="utf-8")
    result = process_batch(list(read_staged(staged)), registry, NoTagger())
    assert [(s.reason, s.detail) for s, _ in result.skips] == [(SkipReason.FETCH_FAILED, "error: refused: private")] * 2
    assert result.summary.skipped == {"fetch_failed": 2}
    assert result.summary.as_dict()["per_outlet"]["Diario Uno"]["skipped: fetch_failed"] == 2


def test_an_answered_error_page_is_an_http_error_not_a_failed_fetch(registry):
    page = FetchedPage(**{**FAILED, "status": 404}, content_type="text/html", body=b"", error="HTTP 404")
    result = process_batch([(page, None)], registry, NoTagger())
    assert [(s.reason, s.detail) for s, _ in result.skips] == [("http_error", "404")]


def test_user_fixable_failures_are_user_errors(tmp_path):
    from nlp.kb import KnowledgeBaseError, load_kb
    from pipelines.registry import RegistryError, load_registry
    with pytest.raises(RegistryError) as registry_error:
        load_registry(tmp_path / "missing.yaml")
    with pytest.raises(KnowledgeBaseError) as kb_error:
        load_kb(tmp_path / "missing.yaml")
    for exc in (registry_error.value, kb_error.value):
        assert isinstance(exc, ConfigError) and isinstance(exc, UserError)


def test_prefect_retries_only_transient_fetch_failures():
    from prefect.states import Failed

    from flows.tasks import fetch_task, only_transient_failures
    assert fetch_task.retry_condition_fn is only_transient_failures
    assert fetch_task.with_options(retries=0).retry_condition_fn is only_transient_failures
    assert only_transient_failures(fetch_task, None, Failed(data=TransientFetchError("timed out")))
    assert not only_transient_failures(fetch_task, None, Failed(data=RuntimeError("the crawler crashed")))
    assert not only_transient_failures(fetch_task, None, Failed(data=ConfigError("sources.yaml: bad reach")))


class AnyTagger:
    def tag(self, *args, **kwargs):
        from tests.test_warehouse import FakeTags
        return FakeTags()


def test_a_staged_page_comes_back_from_its_batch_compressed_only(registry):
    """Raw-page storage needs only the staged compressed body: a worker sends back that, not the
    page's whole body too; a page not read from a staged file keeps its body."""
    from tests.conftest import FIXTURES

    html = (FIXTURES / "article_with_comments.html").read_bytes()
    ok = {**FAILED, "status": 200}
    staged = decode_page(encode_page(FetchedPage(**ok, content_type="text/html", body=html)))
    fresh = FetchedPage(**{**ok, "url": FAILED["url"] + "-2", "final_url": FAILED["url"] + "-2"},
                        content_type="text/html", body=html + b" ")
    result = process_batch([(staged, None), (fresh, None)], registry, AnyTagger())
    assert len(result.tagged) == 2
    back = {p.url: p for p in result.pages.values()}
    assert back[staged.url].body == b"" and gzip.decompress(back[staged.url].body_gz) == html
    assert back[fresh.url].body == fresh.body and back[fresh.url].body_gz is None
