"""Pages built to break the extractor, given to `extract_article` in a process of their own: a
crash of the parser in C (deep recursion) must show as a failed test, not end the test run.

Pages that break the crawl itself (bombs, endless bodies, lying charsets) are in
test_hostile_web.py."""
from __future__ import annotations

import json
import subprocess
import sys
import textwrap

from tests.reliability.fault_matrix import REPO

NESTED_DIVS = textwrap.dedent("""
    import json, resource, sys
    from pipelines.extract import extract_article
    from pipelines.records import FetchedPage
    from pipelines.registry import load_registry
    from tests.reliability.hostile.web import article

    depth = int(sys.argv[1])
    inner = article("Nota entre divs", 1)
    inner = inner[inner.index("<article>"):inner.index("</body>")]
    html = ("<!DOCTYPE html><html><head><title>Divs</title></head><body>" + "<div>" * depth + inner
            + "</div>" * depth + "</body></html>").encode()
    page = FetchedPage(url="http://127.0.0.1:9/divs", final_url="http://127.0.0.1:9/divs", status=200,
                       content_type="text/html; charset=utf-8", body=html, discovered_via="feed",
                       source_url="http://127.0.0.1:9/feed.xml", listed_at=None, listed_title=None,
                       fetched_at="2024-03-01T16:00:00+00:00")
    got = extract_article(page, load_registry("sources.yaml"))
    print(json.dumps({"bytes": len(html), "kind": type(got).__name__, "reason": str(getattr(got, "reason", "")),
                      "detail": getattr(got, "detail", ""),
                      "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
""")


def test_ten_megabytes_of_nested_divs_is_a_skip_not_a_crash():
    """About 10 MB of <div> nested 900 000 deep (under DOWNLOAD_MAXSIZE, so the crawler keeps it):
    lxml stops building the tree at its depth limit (no huge_tree), so nothing recurses that
    deep; the page is a `no_text` skip, counted like any page without an article."""
    done = subprocess.run([sys.executable, "-c", NESTED_DIVS, "900000"], cwd=REPO, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    got = json.loads(done.stdout.strip().splitlines()[-1])
    assert 9_000_000 < got["bytes"] < 10 * 1024 * 1024
    assert (got["kind"], got["reason"]) == ("Skip", "no_text"), got
    assert "extraction error" not in got["detail"]            # not the safety net: the extractor coped
    assert got["max_rss_mb"] < 1500, got
