"""`prodesc-monitor export`: a folder other tools open without questions (issue 16).

Every relation of the contract in both formats, entities included; a datapackage.json whose
resources are the files and whose fields are each file's columns; CSV times in UTC equal to
the Parquet values; lists as JSON arrays; a README. A warehouse with a bit of everything:
a review, a manual appearance, a frozen year, a syndicated story, lists with commas and quotes.
"""
import csv
import json
import re
from datetime import date, datetime, timezone
from pathlib import Path

import duckdb
import pytest

from pipelines.records import Tagged
from tests.test_warehouse import FakeTags, article
from warehouse.db import connect
from warehouse.export import CSV_DATETIME, EXPORTS, NOT_EXPORTED, contract, export
from warehouse.load import load_batch, load_entities, load_outlets
from warehouse.manual import ManualAppearance, add_manual
from warehouse.reviews import record_decision
from warehouse.tally import freeze

REPO = Path(__file__).parent.parent
FRICTIONLESS_TO_DUCKDB = {"string": "VARCHAR", "integer": "BIGINT", "number": "DOUBLE", "boolean": "BOOLEAN",
                          "date": "DATE", "datetime": "TIMESTAMPTZ"}
ALIASES = ['Unión Hidalgo, Oaxaca', 'la "comunidad" zapoteca', "=no es fórmula"]


@pytest.fixture(scope="module")
def out(tmp_path_factory):
    from pipelines.registry import load_registry
    from tests.conftest import REGISTRY_YAML

    tmp = tmp_path_factory.mktemp("export")
    (tmp / "sources.yaml").write_text(REGISTRY_YAML, encoding="utf-8")
    con = connect(tmp / "e.ducklake")
    load_outlets(con, load_registry(tmp / "sources.yaml"))
    load_entities(con, [{"id": "union_hidalgo", "name": "Unión Hidalgo frente al parque eólico", "kind": "process",
                         "theme": "land_territory", "aliases": ALIASES, "name_en": "Unión Hidalgo wind farm"}])
    batch = [Tagged(article("http://www.diariouno.example/a", day=date(2023, 5, 2), fingerprint="0" * 16),
                    FakeTags(theme="land_territory", process="union_hidalgo",
                             secondary_themes=("labour", "defenders"))),
             Tagged(article("http://nacionaldos.example/b", outlet="Nacional Dos", day=date(2023, 5, 3),
                            fingerprint="f" * 16), FakeTags()),
             Tagged(article("http://www.diariouno.example/c", day=date(2023, 6, 1), fingerprint="0f" * 8),
                    FakeTags(theme="labour"))]
    load_batch(con, batch, {}, [], "r", "kb1")
    con.execute("UPDATE articles SET published_at = TIMESTAMPTZ '2023-05-02 10:00:00-06', "
                "title = '=HYPERLINK(\"http://evil.example\")' WHERE url = 'http://www.diariouno.example/a'")
    con.execute("UPDATE articles SET syndication_group = 'http://www.diariouno.example/a' "
                "WHERE url IN ('http://www.diariouno.example/a', 'http://nacionaldos.example/b')")
    record_decision(con, "http://www.diariouno.example/c", "reject", "Luis", note="no es ProDESC")
    add_manual(con, [ManualAppearance("m1", "Radio Comunitaria", "local", "radio", date(2023, 7, 1), "labour",
                                      None, "Entrevista", None, None, "Ana")])
    freeze(con, 2023, by="Ana", note="Informe anual 2023")
    export(con, tmp / "x")
    con.close()
    return tmp / "x"


def _data_files(folder):
    return {p.name for p in folder.iterdir() if p.suffix in (".csv", ".parquet")}


def _csv(path):
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def _parquet(path, select="*"):
    rel = duckdb.sql(f"SELECT {select} FROM read_parquet('{path}')")
    return [dict(zip(rel.columns, row)) for row in rel.fetchall()]


def test_every_contract_relation_is_exported_in_both_formats(out):
    assert _data_files(out) == {f"{n}.{ext}" for n in EXPORTS for ext in ("csv", "parquet")}
    names = {r["id"]: r["name"] for r in _csv(out / "entities.csv")}
    assert names == {"union_hidalgo": "Unión Hidalgo frente al parque eólico"}   # process ids get their names
    assert len(_csv(out / "reviews.csv")) == 1 and len(_csv(out / "manual_appearances.csv")) == 1
    assert [r["year"] for r in _csv(out / "frozen_tallies.csv")] == ["2023"]
    assert len(_csv(out / "frozen_appearances.csv")) == 3                      # a, b and the radio interview
    (group,) = _csv(out / "syndication_groups.csv")
    assert group["copies"] == "2" and json.loads(group["outlets"]) == ["Diario Uno", "Nacional Dos"]
    assert "main_text" not in _csv(out / "articles.csv")[0]


def test_every_relation_the_docs_list_is_exported_or_said_why_not():
    """docs/warehouse.md is the analysts' reference: a view or table it lists is either in the
    export or in NOT_EXPORTED (whose reasons the README prints)."""
    docs = (REPO / "docs" / "warehouse.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"^### `(\w+)", docs, re.M))
    for section in ("## Other views", "## Tables"):
        body = docs.split(section, 1)[1].split("\n## ", 1)[0]
        for first_cell in re.findall(r"^\| (`[^|]+)\|", body, re.M):
            listed |= set(re.findall(r"`(\w+)`", first_cell))
    left_out = {n for key in NOT_EXPORTED for n in key.split(", ")}
    assert {"appearances", "weekly_counts", "yearly_tally", "entities", "reviews"} <= listed   # the parse works
    assert listed - set(EXPORTS) - left_out == set()


def test_contract_yaml_describes_every_exported_column(out):
    package = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))
    for res in package["resources"]:
        described = contract()[res["title"]]
        assert described["description"] and res["description"] == described["description"]
        assert [f["name"] for f in res["schema"]["fields"]] == list(described["columns"]), res["name"]


def test_datapackage_resources_are_the_files_and_fields_their_columns(out):
    package = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))
    assert package["profile"] == "data-package" and re.fullmatch(r"[a-z0-9._-]+", package["name"])
    resources = package["resources"]
    assert {r["path"] for r in resources} == _data_files(out)
    assert len({r["name"] for r in resources}) == len(resources)
    for res in resources:
        path = out / res["path"]
        names = [f["name"] for f in res["schema"]["fields"]]
        assert res["bytes"] == path.stat().st_size
        if res["format"] == "csv":
            assert (res["mediatype"], res["encoding"]) == ("text/csv", "utf-8-sig")
            header = duckdb.sql(f"SELECT * FROM read_csv('{path}', header = true, all_varchar = true)").columns
            assert header == names, res["path"]
            assert {f["type"] for f in res["schema"]["fields"]} <= set(FRICTIONLESS_TO_DUCKDB)
        else:
            assert (res["format"], res["mediatype"]) == ("parquet", "application/vnd.apache.parquet")
            described = duckdb.sql(f"DESCRIBE SELECT * FROM read_parquet('{path}')").fetchall()
            assert [c[0] for c in described] == names, res["path"]
            for (_, ctype, *_), field in zip(described, res["schema"]["fields"]):
                assert (field["type"] == "array") == ctype.endswith("[]"), (res["path"], field)


def test_each_csv_reads_with_the_datapackage_types(out):
    """What a tool that trusts datapackage.json does: read the CSV with the declared types.
    Every value parses, and the rows are the Parquet file's rows."""
    package = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))
    for res in (r for r in package["resources"] if r["format"] == "csv"):
        fields = res["schema"]["fields"]
        columns = "{" + ", ".join(f"'{f['name']}': '{FRICTIONLESS_TO_DUCKDB[f['type']]}'" for f in fields) + "}"
        typed = duckdb.sql(f"SELECT * FROM read_csv('{out / res['path']}', header = true, columns = {columns}, "
                           f"timestampformat = '{CSV_DATETIME}')").fetchall()
        parquet = duckdb.sql(f"SELECT count(*) FROM read_parquet('{out / res['title']}.parquet')").fetchone()[0]
        assert len(typed) == parquet, res["path"]


def test_csv_times_are_utc_and_equal_the_parquet_values(out):
    package = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))
    epoch = datetime(1970, 1, 1, tzinfo=timezone.utc)
    checked = 0
    for res in (r for r in package["resources"] if r["format"] == "csv"):
        times = [f["name"] for f in res["schema"]["fields"] if f["type"] == "datetime"]
        if not times:
            continue
        rows = _csv(out / res["path"])
        micros = _parquet(out / f"{res['title']}.parquet", ", ".join(f'epoch_us("{t}") AS "{t}"' for t in times))
        assert len(rows) == len(micros)
        for row, instant in zip(rows, micros):
            for t in times:
                if row[t] == "":
                    assert instant[t] is None
                    continue
                assert row[t].endswith("Z"), (res["path"], t, row[t])
                as_utc = datetime.strptime(row[t], CSV_DATETIME).replace(tzinfo=timezone.utc)
                assert (as_utc - epoch) // (datetime.resolution) == instant[t], (res["path"], t)
                checked += 1
    assert checked >= 10
    (a,) = [r for r in _csv(out / "articles.csv") if r["url"].endswith("/a")]
    assert a["published_at"] == "2023-05-02T16:00:00.000000Z"          # 10:00 in Mexico City
    assert a["published_date"] == "2023-05-02"                          # a date stays a date


def test_lists_are_json_arrays_in_csv_and_lists_in_parquet(out):
    package = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))
    checked = 0
    for res in (r for r in package["resources"] if r["format"] == "parquet"):
        lists = [f["name"] for f in res["schema"]["fields"] if f["type"] == "array"]
        for row, native in zip(_csv(out / f"{res['title']}.csv"), _parquet(out / res["path"])):
            for name in lists:
                assert (json.loads(row[name]) if row[name] else None) == native[name], (res["path"], name)
                checked += native[name] is not None
    assert checked >= 5
    (entity,) = _csv(out / "entities.csv")
    assert json.loads(entity["aliases"]) == ALIASES
    (a,) = [r for r in _csv(out / "appearances.csv") if r["url"].endswith("/a")]
    assert json.loads(a["secondary_themes"]) == ["labour", "defenders"]
    assert a["title"].startswith("'=HYPERLINK")                         # still defused in CSV
    assert _parquet(out / "appearances.parquet", "min(title)")[0]["min(title)"].startswith("=HYPERLINK")


def test_readme_spanish_first_names_every_file(out):
    text = (out / "README.md").read_text(encoding="utf-8")
    assert text.index("Horas en UTC") < text.index("Times are UTC")
    assert "Ciudad de México" in text and "arreglo JSON" in text and "pandas" in text and "**R**" in text
    for name in EXPORTS:
        assert f"`{name}.csv`" in text and f"`{name}.parquet`" in text
    for name in (n for key in NOT_EXPORTED for n in key.split(", ")):
        assert f"`{name}`" in text
