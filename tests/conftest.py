"""Shared fixtures: small registries and pages written for the tests (never corpus copies)."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

# The fault matrix's report (tests/reliability/report.py): hooks of the whole suite, so that the
# rows naming tests outside tests/reliability/ are counted too.
from tests.reliability.report import pytest_runtest_logreport, pytest_unconfigure  # noqa: F401

FIXTURES = Path(__file__).parent / "fixtures"
REPO = Path(__file__).parent.parent

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")

REGISTRY_YAML = """\
outlets:
  - name: Diario Uno
    domains: [www.diariouno.example, diariouno.example]
    reach: local
    region: Yucatán
    language: es
    feeds: [http://www.diariouno.example/feed/]
    sitemaps: [http://www.diariouno.example/sitemap.xml]
  - name: Nacional Dos
    domains: [nacionaldos.example]
    reach: national
    region: ""
    language: es
    feeds: [http://nacionaldos.example/rss.xml]
    sitemaps: []
discovery:
  - name: Search
    url: http://search.example/rss?q=ProDESC
"""


@pytest.fixture
def registry_file(tmp_path) -> Path:
    path = tmp_path / "sources.yaml"
    path.write_text(REGISTRY_YAML, encoding="utf-8")
    return path


@pytest.fixture
def registry(registry_file):
    from pipelines.registry import load_registry
    return load_registry(registry_file)


# ------------------------------------------------------------------ a real PostgreSQL (tests/pgserver.py)

@pytest.fixture(scope="session")
def postgres_server():
    """One throwaway PostgreSQL server for the session, stopped and removed at the end (also on
    failure). Skips when PostgreSQL is not installed, fails instead under PRODESC_REQUIRE_POSTGRES=1."""
    from pgserver import PostgresUnavailable, postgres_server as start, unavailable

    try:
        server_context = start()
        server = server_context.__enter__()
    except PostgresUnavailable as exc:
        unavailable(str(exc))
    try:
        yield server
    finally:
        server_context.__exit__(None, None, None)


@pytest.fixture
def pg_warehouse(postgres_server, tmp_path, monkeypatch, request) -> str:
    """`--db` for a new, empty warehouse whose catalog is a database of its own on the test server
    and whose Parquet files go under tmp_path (PRODESC_MONITOR_DATA_PATH)."""
    import re
    name = "w_" + re.sub(r"[^a-z0-9_]", "_", request.node.name.lower())[:40] + f"_{os.getpid()}"
    monkeypatch.setenv("PRODESC_MONITOR_DATA_PATH", str(tmp_path / "monitor.files"))
    return postgres_server.createdb(name)
