"""Exports for people who use other tools: Parquet (types kept) and CSV (opens anywhere),
with a README.md and a datapackage.json, so the folder answers its own questions.

What is in it: every relation of the data contract (`EXPORTS`: the views analysts use and
the tables behind them, entities included so process ids have names), one file per relation
and format, named after the relation. `NOT_EXPORTED` says what stays out and why; the
README repeats it. The column descriptions come from one place, `warehouse/contract.yaml`.

The two formats say the same thing, so a number read from either is the same number:
- Times (TIMESTAMPTZ) are UTC in both. Parquet stores instants in UTC; in the CSV they are
  ISO 8601 text ending in Z (2026-11-17T16:05:00.000000Z), never the connection's Mexico
  City time, which a CSV cannot say without an offset each tool reads differently.
- Dates stay dates: `published_date` is the Mexico City calendar day of the counting rules.
- Lists are native lists in Parquet and JSON arrays in the CSV (["a","b"]), which every
  tool parses, not DuckDB's own notation ([a, b]).

CSV cells that a spreadsheet would run as a formula (starting with =, +, -, @, tab, CR) are
prefixed with an apostrophe: text from the web must never execute on a colleague's machine.
Parquet keeps the data exactly as stored. Each CSV starts with the UTF-8 byte-order mark
every CSV of the project has (warehouse/spreadsheet.py), so Excel reads the accents.

datapackage.json follows the Frictionless Data Package spec v1, written as plain JSON: it
needs no library.
"""
from __future__ import annotations

import json
from datetime import datetime, timezone
from functools import cache
from pathlib import Path

import yaml

from warehouse.lake import sql_string   # COPY takes a literal file name, not a parameter
from warehouse.spreadsheet import CSV_ENCODING, FORMULA_STARTS, mark_utf8

_FORMULA_STARTS_SQL = ", ".join(f"chr({ord(c)})" for c in FORMULA_STARTS)   # the same rule as every spreadsheet
CONTRACT = Path(__file__).with_name("contract.yaml")
CSV_DATETIME = "%Y-%m-%dT%H:%M:%S.%fZ"   # strftime in DuckDB and Python alike; the Frictionless field format

# One file per relation, named after it; ordered so that two exports of the same data are the same files.
EXPORTS = {
    "appearances": "SELECT * FROM appearances ORDER BY published_date, url",
    "weekly_counts": "SELECT * FROM weekly_counts ORDER BY week, theme, reach",
    "yearly_tally": "SELECT * FROM yearly_tally ORDER BY year, theme, reach",
    "appearances_by_outlet": "SELECT * FROM appearances_by_outlet ORDER BY outlet, year",
    "process_timeline": "SELECT * FROM process_timeline ORDER BY process NULLS FIRST, month",
    "syndication_groups": "SELECT * FROM syndication_groups ORDER BY first_published, syndication_group",
    "mention_snippets": "SELECT * FROM mention_snippets ORDER BY article_url, field, start_char, entity_id",
    "appearance_themes": "SELECT * FROM appearance_themes ORDER BY published_date, url, is_primary DESC, theme",
    "latest_reviews": "SELECT * FROM latest_reviews ORDER BY decided_at, review_id",
    "outlet_reach_periods": "SELECT * FROM outlet_reach_periods ORDER BY outlet, valid_from",
    "tally_cells": "SELECT * FROM tally_cells ORDER BY year, theme, reach, published_date, url",
    "monthly_counts": "SELECT * FROM monthly_counts ORDER BY month, theme, reach",
    "appearance_processes": "SELECT * FROM appearance_processes ORDER BY published_date, url, NOT is_primary, process",
    "articles": "SELECT * EXCLUDE (main_text, fingerprint_int) FROM articles ORDER BY url",
    "outlets": "SELECT * FROM outlets ORDER BY name",
    "outlet_reach_history": "SELECT * FROM outlet_reach_history ORDER BY outlet, valid_from, recorded_at",
    "entities": "SELECT * FROM entities ORDER BY id",
    "reviews": "SELECT * FROM reviews ORDER BY decided_at, review_id",
    "manual_appearances": "SELECT * FROM manual_appearances ORDER BY published_date, manual_id",
    "frozen_tallies": "SELECT * FROM frozen_tallies ORDER BY year",
    "frozen_appearances": "SELECT * FROM frozen_appearances ORDER BY year, published_date, url",
}

# What the warehouse has and the export leaves out, and why (also written in the README).
NOT_EXPORTED = {
    "raw_pages": ("las páginas HTML tal como se descargaron (comprimidas): no son datos para analizar",
                  "the fetched HTML pages (compressed): not data to analyse"),
    "main_text": ("el texto de los artículos (columna de articles): se consulta con `prodesc-monitor search` "
                  "o `prodesc-monitor sql`",
                  "the articles' text (a column of articles): query it with `prodesc-monitor search` or "
                  "`prodesc-monitor sql`"),
    "mentions": ("está en mention_snippets, con el artículo y los nombres de las entidades (el tipo y el "
                 "tema de cada entidad, en entities)",
                 "it is in mention_snippets, with the article and the entities' names (each entity's kind "
                 "and theme, in entities)"),
    "skipped_pages, crawl_runs, feed_checks, silent_outlets": (
        "la operación de la recolección, no el contrato de datos", "how the crawl ran, not the data contract"),
    "schema_migrations, schema_views, writer_turn": (
        "la contabilidad interna del almacén (cambios de esquema, vistas, turno de escritura), no datos",
        "the warehouse's own bookkeeping (schema changes, views, the writers' turn), not data"),
    "column_descriptions": ("el diccionario de datos: ya está en datapackage.json y en este README",
                            "the data dictionary: already in datapackage.json and this README"),
    "outlet_reviews, review_articles": ("el trabajo interno de la mesa de revisión; sus decisiones están en "
                                        "reviews, outlet_reach_history y outlets",
                                        "the review desk's own bookkeeping; its decisions are in reviews, "
                                        "outlet_reach_history and outlets"),
}


@cache
def contract() -> dict:
    """The relations' and columns' descriptions (warehouse/contract.yaml)."""
    return yaml.safe_load(CONTRACT.read_text(encoding="utf-8"))


def neutralised(con, sql: str) -> str:
    """Wrap a query so every text column that could start a spreadsheet formula is defused."""
    cols = con.execute(f"DESCRIBE {sql}").fetchall()
    parts = []
    for name, ctype, *_ in cols:
        q = f'"{name}"'
        if ctype == "VARCHAR":
            parts.append(f"CASE WHEN left({q}, 1) IN ({_FORMULA_STARTS_SQL}) "
                         f"THEN '''' || {q} ELSE {q} END AS {q}")
        else:
            parts.append(q)
    return f"SELECT {', '.join(parts)} FROM ({sql})"


def as_csv_text(con, sql: str) -> str:
    """Wrap a query so its cells read the same in a CSV as in Parquet: instants as UTC ISO 8601
    text ending in Z (whatever the session's time zone), lists as JSON arrays."""
    cols = con.execute(f"DESCRIBE {sql}").fetchall()
    parts = []
    for name, ctype, *_ in cols:
        q = f'"{name}"'
        if ctype == "TIMESTAMP WITH TIME ZONE":
            parts.append(f"strftime({q} AT TIME ZONE 'UTC', '{CSV_DATETIME}') AS {q}")
        elif ctype.endswith("[]"):
            parts.append(f"CAST(to_json({q}) AS VARCHAR) AS {q}")
        else:
            parts.append(q)
    return f"SELECT {', '.join(parts)} FROM ({sql})"


def frictionless_type(duckdb_type: str) -> str:
    """A DuckDB column type as a Table Schema v1 type (lists are decided by the caller)."""
    if duckdb_type == "BOOLEAN":
        return "boolean"
    if duckdb_type in ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT",
                       "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT", "UHUGEINT"):
        return "integer"
    if duckdb_type in ("FLOAT", "DOUBLE", "REAL") or duckdb_type.startswith("DECIMAL"):
        return "number"
    if duckdb_type == "DATE":
        return "date"
    if duckdb_type.startswith("TIMESTAMP"):
        return "datetime"
    return "string"


def fields(con, name: str, fmt: str) -> list[dict]:
    """The Table Schema fields of one exported file: its columns, in order, typed as written in
    that format and described from contract.yaml (what a list or a time looks like, added)."""
    described = contract().get(name, {}).get("columns", {})
    sql = EXPORTS[name]
    out = []
    for column, ctype, *_ in con.execute(f"DESCRIBE {sql}").fetchall():
        field = {"name": column, "type": frictionless_type(ctype),
                 "description": described.get(column, "")}
        if ctype.endswith("[]"):
            if fmt == "csv":
                field["type"] = "string"
                field["description"] += " — lista escrita como arreglo JSON, p. ej. [\"a\",\"b\"]"
            else:
                field["type"] = "array"
                field["description"] += " — lista"
        elif ctype == "TIMESTAMP WITH TIME ZONE":
            field["description"] += " — hora UTC"
            if fmt == "csv":
                field["format"] = CSV_DATETIME
        elif ctype == "DATE":
            field["description"] += " — fecha (día del calendario de la Ciudad de México)"
        field["duckdb_type"] = ctype     # beyond the spec, allowed by it: the type as stored
        out.append(field)
    return out


def export(con, out_dir: Path, formats=("parquet", "csv")) -> list[Path]:
    """Write every relation of `EXPORTS` in each format, then datapackage.json and README.md
    describing exactly the files written. Returns the paths written.

    One read transaction: every file is the same version of the warehouse, so a CSV, its
    Parquet twin and the README's row counts agree even while a crawl commits."""
    out_dir.mkdir(parents=True, exist_ok=True)
    con.begin()
    try:
        written, resources, rows = _write(con, out_dir, formats)
    except BaseException:
        con.rollback()
        raise
    con.commit()         # a read: nothing to write, it only ends the transaction
    package = out_dir / "datapackage.json"
    package.write_text(json.dumps(data_package(resources), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    readme = out_dir / "README.md"
    readme.write_text(readme_text(formats, rows), encoding="utf-8")
    return [*written, package, readme]


def _write(con, out_dir: Path, formats) -> tuple[list[Path], list[dict], dict[str, int]]:
    """The data files and their Data Resources, and each relation's row count."""
    written, resources, rows = [], [], {}
    for name, sql in EXPORTS.items():
        rows[name] = con.execute(f"SELECT count(*) FROM ({sql})").fetchone()[0]
        if "parquet" in formats:
            path = out_dir / f"{name}.parquet"
            con.execute(f"COPY ({sql}) TO {sql_string(path)} (FORMAT parquet)")
            written.append(path)
            resources.append(resource(con, name, "parquet", path))
        if "csv" in formats:
            path = out_dir / f"{name}.csv"
            csv_sql = neutralised(con, as_csv_text(con, sql))
            con.execute(f"COPY ({csv_sql}) TO {sql_string(path)} (FORMAT csv, HEADER)")
            written.append(mark_utf8(path))
            resources.append(resource(con, name, "csv", path))
    return written, resources, rows


def resource(con, name: str, fmt: str, path: Path) -> dict:
    """One Data Resource: the file, how to read it, and its Table Schema."""
    res = {"name": f"{name}-{fmt}", "path": path.name, "title": name,
           "description": contract().get(name, {}).get("description", ""), "format": fmt}
    if fmt == "csv":
        res.update(profile="tabular-data-resource", mediatype="text/csv", encoding=CSV_ENCODING,
                   dialect={"delimiter": ",", "doubleQuote": True, "header": True, "lineTerminator": "\n"})
    else:
        res.update(profile="data-resource", mediatype="application/vnd.apache.parquet")
    res["bytes"] = path.stat().st_size
    res["schema"] = {"fields": fields(con, name, fmt)}
    if fmt == "csv":
        res["schema"]["missingValues"] = [""]
    return res


def data_package(resources: list[dict]) -> dict:
    """The Data Package descriptor (Frictionless spec v1)."""
    return {
        "profile": "data-package",
        "name": "prodesc-monitor-export",
        "title": "Monitor de medios de ProDESC: apariciones en medios y sus datos",
        "description": "Exportación del almacén del monitor de medios de ProDESC (prodesc-monitor export). "
                       "Horas en UTC; fechas (published_date) en días del calendario de la Ciudad de México. "
                       "Ver README.md.",
        "created": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "resources": resources,
    }


def readme_text(formats, rows: dict) -> str:
    """README.md of the export folder: Spanish first, English below."""
    described = contract()
    def files(n: str) -> str:
        return ", ".join(f"`{n}.{f}`" for f in formats)

    def names(key: str) -> str:
        return ", ".join(f"`{n}`" for n in key.split(", "))

    files_es = "\n".join(f"| {files(n)} | {rows[n]:,} | {described.get(n, {}).get('description', '')} |"
                         for n in EXPORTS)
    files_en = "\n".join(f"| {files(n)} | {rows[n]:,} |" for n in EXPORTS)
    left_es = "\n".join(f"- {names(key)}: {es}" for key, (es, _) in NOT_EXPORTED.items())
    left_en = "\n".join(f"- {names(key)}: {en}" for key, (_, en) in NOT_EXPORTED.items())
    when = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    formats_es = " y ".join({"parquet": "Parquet", "csv": "CSV"}[f] for f in formats)
    return f"""# Monitor de medios de ProDESC: exportación de datos

Escrita por `prodesc-monitor export` el {when}. Un archivo por tabla o vista del almacén
({formats_es}), con el mismo nombre; `datapackage.json` describe cada archivo y cada columna
(norma Frictionless Data Package v1) y sirve a los programas que la leen.

## Los archivos

| archivo | filas | qué es |
|---|---|---|
{files_es}

Los ids de `process` y `entity_id` tienen su nombre en `entities` (`name` en español, `name_en` en inglés).

## Cómo están escritos los datos

- **Horas en UTC**, en los dos formatos (columnas como `first_seen`, `decided_at`, `added_at`,
  `frozen_at`): en CSV, texto ISO 8601 terminado en `Z` (`2026-11-17T16:05:00.000000Z`); en Parquet,
  marcas de tiempo en UTC. Para la hora de la Ciudad de México, réstele 6 horas (5 en los horarios de
  verano, hasta octubre de 2022).
- **Las fechas son fechas**: `published_date` (y `month`, `valid_from`...) es el día del calendario de la
  Ciudad de México, como dicen las reglas de conteo; es la fecha de todos los conteos. `week` es la semana
  ISO (lunes a domingo), p. ej. `2026-W47`.
- **Listas** (`secondary_themes`, `aliases`, `domains`, `outlets`, `urls`): en CSV, un arreglo JSON
  (`["labour","defenders"]`); en Parquet, listas.
- **Vacío** = sin dato (NULL).
- **CSV**: separado por comas, punto decimal, codificación UTF-8 con marca de orden de bytes (BOM), para
  que Excel lea los acentos.
- **Texto de la web que parece fórmula**: en CSV, una celda que empieza con `=`, `+`, `-`, `@`, tabulador
  o retorno lleva antes un apóstrofo (`'`), para que ninguna hoja de cálculo la ejecute. Parquet guarda el
  texto tal cual.

## Cómo abrirlos

- **Excel**: doble clic en el `.csv`, o Datos > Desde texto/CSV (origen: UTF-8). Las horas con `Z` quedan
  como texto; si las necesita como fecha y hora, cámbielas de tipo en Power Query.
- **pandas** (Python): `pd.read_parquet("appearances.parquet")` (con pyarrow), o
  `pd.read_csv("appearances.csv", encoding="utf-8-sig", parse_dates=["first_seen"])`; una lista:
  `df["secondary_themes"].map(json.loads, na_action="ignore")`.
- **R**: `arrow::read_parquet("appearances.parquet")`, o `readr::read_csv("appearances.csv")`; una lista:
  `jsonlite::fromJSON(x)`.
- **DuckDB**: `SELECT * FROM 'appearances.parquet'`, o `read_csv('appearances.csv')`.

## Lo que no se exporta

{left_es}

---

# ProDESC media monitor: data export

Written by `prodesc-monitor export` on {when}. One file per table or view of the warehouse, named after
it; `datapackage.json` describes every file and column (Frictionless Data Package v1; the descriptions
are in Spanish, the analysts' language).

| file | rows |
|---|---|
{files_en}

- **Times are UTC** in both formats: in the CSV, ISO 8601 text ending in `Z`; in Parquet, UTC
  timestamps. Mexico City is UTC−6 (UTC−5 in summer time, until October 2022).
- **Dates stay dates**: `published_date` is the Mexico City calendar day (the counting rules); every
  count uses it. `week` is the ISO week (Monday to Sunday).
- **Lists** are JSON arrays in the CSV and native lists in Parquet.
- Empty cell = NULL. CSV: comma-separated, decimal point, UTF-8 with a byte-order mark.
- CSV text cells that a spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`, tab, CR)
  are prefixed with an apostrophe; Parquet keeps the text as stored.
- Process and entity ids have their names in `entities`.
- Open with Excel (Data > From Text/CSV), pandas (`read_parquet`, or `read_csv(..., encoding="utf-8-sig")`),
  R (`arrow::read_parquet`, `readr::read_csv`) or DuckDB (`SELECT * FROM 'appearances.parquet'`).

Not exported:

{left_en}
"""
