"""Benchmark (issue 14): which storage lets the desk, the loader and analysts work at once.

    pip install -e '.[lake]'          # the DuckLake, SQLite-scanner and Postgres extensions (DuckDB 1.5.5)
    .venv/bin/python bench/storage_choice.py [--rows 50000] [--batch 500] [--json FILE]

Real separate processes (multiprocessing, spawn), local files only, bounded loops.
Two candidates at the same data size (article-like rows: url, outlet, title, a ~2 KB
body, a DATE, a BOOLEAN; inserted in batches through `read_json`, as `warehouse/bulk.py`
does):

1. DuckLake with a SQLite catalog (`ducklake:sqlite:meta.sqlite`, Parquet under `data/`):
   the loader alone; the loader while a desk process commits one review row every
   ~0.5 s and an analyst process holds one read transaction open for the whole run,
   querying in a loop; two loaders at once on disjoint keys; a weekly GROUP BY.
   Every write retries on a commit conflict / busy catalog, and counts the retries.
2. Today's single DuckDB file plus a read-only snapshot published after each load:
   the loader alone; the publish (CHECKPOINT + file copy + atomic rename, and
   `COPY FROM DATABASE`); the desk and a read-only analyst trying to open the file
   while the loader holds it (the lock error and how long the desk's write waits),
   and the analyst reading the published snapshot meanwhile.

Prints figures and ratios; `--json FILE` writes them. A benchmark, not a test: the
numbers depend on the machine. Extensions are loaded by path from the pip packages,
never downloaded.
"""
from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import random
import shutil
import statistics
import sysconfig
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import duckdb

EXT_VERSION = "v1.5.5"
COLUMNS = {"url": "VARCHAR", "outlet": "VARCHAR", "title": "VARCHAR", "body": "VARCHAR",
           "published_date": "DATE", "relevant": "BOOLEAN"}
ARTICLES_DDL = ("CREATE TABLE IF NOT EXISTS articles (url VARCHAR NOT NULL, outlet VARCHAR, title VARCHAR, "
                "body VARCHAR, published_date DATE, relevant BOOLEAN)")
REVIEWS_DDL = ("CREATE TABLE IF NOT EXISTS reviews (url VARCHAR NOT NULL, decision VARCHAR, "
               "decided_at TIMESTAMP, seq INTEGER)")
WEEKLY = ("SELECT strftime(published_date, '%G-W%V') AS week, relevant, count(*) AS n "
          "FROM articles GROUP BY ALL ORDER BY ALL")
READ_JSON = ("INSERT INTO articles SELECT * FROM read_json(?, format = 'newline_delimited', columns = {"
             + ", ".join(f"'{c}': '{t}'" for c, t in COLUMNS.items()) + "})")
WORDS = ("ejido tierra comunidad defensores trabajo sindicato minera consulta amparo tribunal "
         "asamblea territorio derechos empresa gobierno estado oaxaca guerrero juchitán energía "
         "eólica agua protesta acuerdo audiencia jornaleros salario despido organización").split()
RETRYABLE = ("conflict", "lock", "busy", "retry")
DEADLINE_S = int(os.environ.get("STORAGE_BENCH_DEADLINE", 300))   # no worker runs longer than this
WRITE_GIVE_UP_S = 60      # one write retries at most this long, then counts as failed


# ---------------------------------------------------------------- data

def make_batches(folder: Path, rows: int, batch: int) -> list[str]:
    """Newline-delimited JSON files of article-like rows; keys are unique across all files."""
    folder.mkdir(parents=True, exist_ok=True)
    paths, start = [], date(2025, 1, 1)
    for b, first in enumerate(range(0, rows, batch)):
        path = folder / f"batch{b:05d}.jsonl"
        rnd = random.Random(b)
        with path.open("w", encoding="utf-8") as fh:
            for i in range(first, min(first + batch, rows)):
                body, size = [], 0
                while size < 2000:
                    body.append(rnd.choice(WORDS))
                    size += len(body[-1]) + 1
                fh.write(json.dumps({
                    "url": f"https://outlet{i % 86}.example/nota/{i}", "outlet": f"outlet{i % 86}",
                    "title": " ".join(rnd.choice(WORDS) for _ in range(8)), "body": " ".join(body),
                    "published_date": (start + timedelta(days=i % 365)).isoformat(), "relevant": i % 7 == 0,
                }, ensure_ascii=False) + "\n")
        paths.append(str(path))
    return paths


# ---------------------------------------------------------------- connections

def _ext(pkg: str, name: str) -> str:
    path = Path(sysconfig.get_paths()["purelib"]) / f"duckdb_extension_{pkg}" / "extensions" / EXT_VERSION / f"{name}.duckdb_extension"
    if not path.exists():
        raise SystemExit(f"{path} is missing: pip install -e '.[lake]'")
    return str(path)


CATALOG = os.environ.get("STORAGE_BENCH_CATALOG", "sqlite")   # sqlite | sqlite-wal | postgres:<libpq dsn>


def _lake_config() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(config={"autoinstall_known_extensions": False, "autoload_known_extensions": False})
    con.load_extension(_ext("sqlite_scanner", "sqlite_scanner"))
    con.load_extension(_ext("postgres_scanner", "postgres_scanner"))
    con.load_extension(_ext("ducklake", "ducklake"))
    return con


def _pg_dbname(folder: str) -> str:
    return "bench_" + Path(folder).name.replace("-", "_")


def lake_connect(folder: str) -> duckdb.DuckDBPyConnection:
    con = _lake_config()
    data = Path(folder) / "data"
    if CATALOG.startswith("postgres:"):
        meta = f"postgres:{CATALOG.split(':', 1)[1]} dbname={_pg_dbname(folder)}"
    else:
        meta = f"sqlite:{Path(folder) / 'meta.sqlite'}"
    con.execute(f"ATTACH 'ducklake:{meta}' AS lake (DATA_PATH '{data}/')")
    con.execute("USE lake")
    return con


def open_store(kind: str, where: str, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    return lake_connect(where) if kind == "lake" else duckdb.connect(where, read_only=read_only)


def _retryable(exc: Exception) -> bool:
    return any(w in str(exc).lower() for w in RETRYABLE)


def write_with_retry(con, statements: list[tuple[str, list]], deadline: float) -> tuple[float, int, float, str]:
    """One transaction, retried on conflicts. Returns (total seconds, retries, seconds lost waiting, last error)."""
    t0, retries, lost, last, delay = time.perf_counter(), 0, 0.0, "", 0.01
    deadline = min(deadline, time.monotonic() + WRITE_GIVE_UP_S)
    while True:
        attempt = time.perf_counter()
        try:
            con.execute("BEGIN TRANSACTION")
            for sql, params in statements:
                con.execute(sql, params)
            con.execute("COMMIT")
            return time.perf_counter() - t0, retries, lost, last
        except duckdb.Error as exc:
            try:
                con.execute("ROLLBACK")
            except duckdb.Error:
                pass
            if not _retryable(exc) or time.monotonic() > deadline:
                raise
            retries, last = retries + 1, str(exc).splitlines()[0][:200]
            time.sleep(delay * (1 + random.random()))
            delay = min(delay * 2, 0.5)
            lost += time.perf_counter() - attempt


# ---------------------------------------------------------------- worker processes

def loader(kind: str, where: str, batches: list[str], go, out, name: str = "loader", publish_to: str = "") -> None:
    deadline = time.monotonic() + DEADLINE_S
    t_open = time.perf_counter()
    con = open_store(kind, where)
    if kind == "file":
        con.execute(ARTICLES_DDL)
        con.execute(REVIEWS_DDL)
    opened = time.perf_counter() - t_open
    out.put({"who": name, "event": "opened"})
    go.wait(60)
    t0, retries, max_wait, max_batch, last, rows = time.perf_counter(), 0, 0.0, 0.0, "", 0
    failed = 0
    for path in batches:
        t = time.perf_counter()
        try:
            took, r, lost, err = write_with_retry(con, [(READ_JSON, [path])], deadline)
        except duckdb.Error as exc:
            failed, last = failed + 1, str(exc).replace("\n", " ")[:200]
            max_wait = max(max_wait, time.perf_counter() - t)
            continue
        retries, max_wait, max_batch = retries + r, max(max_wait, lost), max(max_batch, took)
        last = err or last
        with open(path, encoding="utf-8") as fh:
            rows += sum(1 for _ in fh)
    seconds = time.perf_counter() - t0
    res = {"who": name, "event": "done", "rows": rows, "batches": len(batches), "seconds": round(seconds, 3),
           "rows_per_s": round(rows / seconds), "retries": retries, "max_wait_s": round(max_wait, 3),
           "max_batch_s": round(max_batch, 3), "failed_batches": failed, "last_retry_error": last, "open_s": round(opened, 3)}
    if kind == "file" and publish_to:
        res.update(publish(con, where, publish_to))
    con.close()
    out.put(res)


def publish(con, main: str, snapshot: str) -> dict:
    """Publish a read-only copy next to the main file: CHECKPOINT, copy, atomic rename."""
    t = time.perf_counter()
    con.execute("CHECKPOINT")
    checkpoint = time.perf_counter() - t
    t = time.perf_counter()
    tmp = snapshot + ".tmp"
    shutil.copyfile(main, tmp)
    os.replace(tmp, snapshot)
    copy = time.perf_counter() - t
    t = time.perf_counter()
    other = snapshot + ".cfd.duckdb"
    for p in (other, other + ".wal"):
        if os.path.exists(p):
            os.unlink(p)
    db = con.execute("SELECT current_database()").fetchone()[0]
    con.execute(f"ATTACH '{other}' AS pub")
    con.execute(f"COPY FROM DATABASE {db} TO pub")
    con.execute("DETACH pub")
    cfd = time.perf_counter() - t
    return {"publish_checkpoint_s": round(checkpoint, 3), "publish_file_copy_s": round(copy, 3),
            "publish_copy_from_database_s": round(cfd, 3), "file_mb": round(os.path.getsize(main) / 1e6, 1)}


def desk(kind: str, where: str, go, stop, out, interval: float) -> None:
    """Lake: one open connection, one review row per commit every `interval` s until stopped."""
    deadline = time.monotonic() + DEADLINE_S
    con = open_store(kind, where)
    out.put({"who": "desk", "event": "opened"})
    go.wait(60)
    lat, retries, max_wait, last, failures, seq = [], 0, 0.0, "", 0, 0
    while not stop.is_set() and time.monotonic() < deadline:
        seq += 1
        try:
            took, r, lost, err = write_with_retry(con, [(
                "INSERT INTO reviews VALUES (?, 'confirmed', now()::TIMESTAMP, ?)",
                [f"https://outlet1.example/nota/{seq}", seq])], deadline)
            lat.append(took)
            retries, max_wait, last = retries + r, max(max_wait, lost), err or last
        except duckdb.Error as exc:
            failures, last = failures + 1, str(exc).splitlines()[0][:200]
        time.sleep(interval)
    con.close()
    out.put({"who": "desk", "event": "done", **_latencies(lat), "retries": retries,
             "max_wait_s": round(max_wait, 3), "failures": failures, "last_error": last})


def _latencies(lat: list[float]) -> dict:
    if not lat:
        return {"commits": 0}
    q = statistics.quantiles(lat, n=20) if len(lat) > 1 else [lat[0]] * 19
    return {"commits": len(lat), "p50_ms": round(statistics.median(lat) * 1000, 1),
            "p95_ms": round(q[18] * 1000, 1), "max_ms": round(max(lat) * 1000, 1)}


def lake_analyst(where: str, go, stop, out, hold: float) -> None:
    """Opens the lake and runs the weekly GROUP BY in a loop until stopped.

    With `hold` > 0 the first `hold` seconds run inside ONE read transaction (an analyst's
    open session); then it commits and goes on with one short transaction per query."""
    deadline = time.monotonic() + DEADLINE_S
    t = time.perf_counter()
    try:
        con = lake_connect(where)
    except duckdb.Error as exc:
        out.put({"who": "analyst", "event": "opened"})
        out.put({"who": "analyst", "event": "done", "open_failed": str(exc)[:200]})
        return
    opened = time.perf_counter() - t
    out.put({"who": "analyst", "event": "opened"})
    go.wait(60)
    t_start, in_txn, held_totals = time.monotonic(), hold > 0, None
    if in_txn:
        con.execute("BEGIN TRANSACTION")
    queries, failures, totals, lat, last = 0, 0, set(), [], ""
    while not stop.is_set() and time.monotonic() < deadline:
        if in_txn and time.monotonic() - t_start > hold:
            con.execute("COMMIT")
            in_txn = False
            held_totals, totals = sorted(totals), set()
        t = time.perf_counter()
        try:
            totals.add(sum(r[2] for r in con.execute(WEEKLY).fetchall()))
            lat.append(time.perf_counter() - t)
            queries += 1
        except duckdb.Error as exc:
            failures, last = failures + 1, str(exc).splitlines()[0][:200]
        time.sleep(0.05)
    if in_txn:
        con.execute("COMMIT")
        held_totals, totals = sorted(totals), set()
    after = con.execute("SELECT count(*) FROM articles").fetchone()[0]
    con.close()
    out.put({"who": "analyst", "event": "done", "open_s": round(opened, 3), "queries": queries, "failures": failures,
             "last_error": last, "held_txn_s": hold,
             "rows_seen_in_held_txn": held_totals if hold > 0 else None, "distinct_counts_seen_after": len(totals),
             "rows_after_end": after,
             "query_p50_ms": round(statistics.median(lat) * 1000, 1) if lat else None})


def file_knocker(who: str, main: str, snapshot: str, go, stop, out, interval: float) -> None:
    """File: the desk (read-write) or an analyst (read-only) tries to open the main file every `interval` s.

    The desk writes its review row as soon as it gets in; the analyst meanwhile reads the snapshot."""
    deadline = time.monotonic() + DEADLINE_S
    out.put({"who": who, "event": "opened"})
    go.wait(60)
    t0, attempts, first_error, snap_ok, snap_fail, snap_lat = time.perf_counter(), 0, "", 0, 0, []
    got_in = None
    while time.monotonic() < deadline:
        attempts += 1
        try:
            con = duckdb.connect(main, read_only=(who != "desk"))
        except duckdb.Error as exc:
            first_error = first_error or str(exc).splitlines()[0][:300]
            if who != "desk" and snapshot:
                t = time.perf_counter()
                try:
                    s = duckdb.connect(snapshot, read_only=True)
                    s.execute(WEEKLY).fetchall()
                    s.close()
                    snap_ok += 1
                    snap_lat.append(time.perf_counter() - t)
                except duckdb.Error:
                    snap_fail += 1
            time.sleep(interval)
            continue
        if who == "desk":
            con.execute("INSERT INTO reviews VALUES ('https://outlet1.example/nota/1', 'confirmed', now()::TIMESTAMP, 1)")
        else:
            con.execute("SELECT count(*) FROM articles").fetchone()
        con.close()
        got_in = time.perf_counter() - t0
        break
    out.put({"who": who, "event": "done", "waited_s": round(got_in, 3) if got_in is not None else None,
             "failed_opens": attempts - 1, "lock_error": first_error, "snapshot_reads_ok": snap_ok,
             "snapshot_reads_failed": snap_fail,
             "snapshot_read_p50_ms": round(statistics.median(snap_lat) * 1000, 1) if snap_lat else None})


# ---------------------------------------------------------------- orchestration

def run_procs(specs: list[tuple], stop_when_done: set[str] = frozenset()) -> dict[str, dict]:
    """Start processes (target, args-without-go/out), wait until all opened, release them, collect results.

    When every process named in `stop_when_done` has reported, `stop` is set for the others."""
    ctx = mp.get_context("spawn")
    go, stop, out = ctx.Event(), ctx.Event(), ctx.Queue()
    procs = []
    for target, args, kwargs in specs:
        extra = {"go": go, "out": out, **({"stop": stop} if "stop" in target.__code__.co_varnames else {})}
        p = ctx.Process(target=target, args=args, kwargs={**kwargs, **extra})
        p.start()
        procs.append(p)
    results, opened, end = {}, 0, time.monotonic() + DEADLINE_S
    while len(results) < len(procs) and time.monotonic() < end:
        try:
            msg = out.get(timeout=1)
        except Exception:
            if all(not p.is_alive() for p in procs):
                break
            continue
        if msg["event"] == "opened":
            opened += 1
            if opened == len(procs):
                go.set()
        else:
            who = msg.pop("who")
            results[who] = {k: v for k, v in msg.items() if k != "event"}
            if stop_when_done and stop_when_done <= results.keys():
                stop.set()
    stop.set()
    for (target, args, kwargs), p in zip(specs, procs):
        name = kwargs.get("name") or (args[0] if target is file_knocker else target.__name__.replace("lake_", ""))
        if name not in results:
            results[name] = {"no_result": f"still running or died after the {DEADLINE_S} s limit (exit code {p.exitcode})"}
    for p in procs:
        p.join(30)
        if p.is_alive():        # only our own children, by object
            p.terminate()
            p.join(5)
    return results


def lake_setup(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    if CATALOG == "sqlite-wal":
        import sqlite3
        with sqlite3.connect(folder / "meta.sqlite") as db:
            db.execute("PRAGMA journal_mode=WAL")
    elif CATALOG.startswith("postgres:"):
        import subprocess                       # CREATE DATABASE cannot run inside the extension's transaction
        dsn, name = CATALOG.split(":", 1)[1], _pg_dbname(str(folder))
        for sql in (f"DROP DATABASE IF EXISTS {name}", f"CREATE DATABASE {name}"):
            subprocess.run(["psql", f"{dsn} dbname=postgres", "-qc", sql], check=True)
    con = lake_connect(str(folder))
    con.execute(ARTICLES_DDL)
    con.execute(REVIEWS_DDL)
    con.close()


def timed_weekly(con, repeat: int = 5) -> tuple[float, int]:
    times, groups = [], 0
    for _ in range(repeat):
        t = time.perf_counter()
        groups = len(con.execute(WEEKLY).fetchall())
        times.append(time.perf_counter() - t)
    return round(statistics.median(times) * 1000, 1), groups


def folder_mb(folder: Path) -> float:
    return round(sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 1e6, 1)


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=50_000)
    ap.add_argument("--batch", type=int, default=500)
    ap.add_argument("--desk-interval", type=float, default=0.5)
    ap.add_argument("--hold", type=float, default=10.0,
                    help="seconds the analyst keeps one read transaction open in the second mixed run")
    ap.add_argument("--catalog", default=CATALOG,
                    help="DuckLake catalog: sqlite, sqlite-wal (the SQLite file in WAL mode) or postgres:<libpq dsn>")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args(argv)
    if args.json:   # its folder made now: a missing one failed only after the whole run
        args.json.parent.mkdir(parents=True, exist_ok=True)
    os.environ["STORAGE_BENCH_CATALOG"] = args.catalog     # the spawned workers read it at import
    globals()["CATALOG"] = args.catalog
    res: dict = {"catalog": args.catalog, "rows": args.rows, "batch": args.batch, "cpus": os.cpu_count(), "duckdb": duckdb.__version__}
    with tempfile.TemporaryDirectory(prefix="storage-choice-") as tmp:
        tmp = Path(tmp)
        t = time.perf_counter()
        batches = make_batches(tmp / "batches", args.rows, args.batch)
        print(f"generated {args.rows} rows in {len(batches)} batches ({time.perf_counter() - t:.1f} s)", flush=True)

        # --- DuckLake, SQLite catalog
        a = tmp / "lake_alone"
        lake_setup(a)
        r = run_procs([(loader, ("lake", str(a), batches), {})])
        res["lake_alone"] = r["loader"]
        con = lake_connect(str(a))
        res["lake_weekly_ms"], res["weekly_groups"] = timed_weekly(con)
        res["lake_rows_check"] = con.execute("SELECT count(*), count(DISTINCT url) FROM articles").fetchone()
        res["lake_files"] = con.execute("SELECT count(*) FROM ducklake_list_files('lake', 'articles')").fetchone()[0]
        con.close()
        res["lake_mb"] = folder_mb(a)
        print("lake alone:", res["lake_alone"], flush=True)

        for label, hold in (("lake_mixed", 0.0), ("lake_mixed_held_read", args.hold)):
            b = tmp / label
            lake_setup(b)
            r = run_procs([(loader, ("lake", str(b), batches), {}),
                           (desk, ("lake", str(b)), {"interval": args.desk_interval}),
                           (lake_analyst, (str(b),), {"hold": hold})], stop_when_done={"loader"})
            res[label] = r
            print(f"{label}:", r, flush=True)

        c = tmp / "lake_two"
        lake_setup(c)
        r = run_procs([(loader, ("lake", str(c), batches[0::2]), {"name": "loader1"}),
                       (loader, ("lake", str(c), batches[1::2]), {"name": "loader2"})])
        con = lake_connect(str(c))
        total, distinct = con.execute("SELECT count(*), count(DISTINCT url) FROM articles").fetchone()
        con.close()
        wall = max(x["seconds"] for x in r.values()) if r else None
        res["lake_two_loaders"] = {**r, "rows_total": total, "distinct_urls": distinct, "duplicates": total - distinct,
                                   "combined_rows_per_s": round(total / wall) if wall else None}
        print("lake two loaders:", res["lake_two_loaders"], flush=True)

        # --- single file + published snapshot
        f = tmp / "file_alone"
        f.mkdir()
        main_db, snap = str(f / "monitor.duckdb"), str(f / "monitor.snapshot.duckdb")
        r = run_procs([(loader, ("file", main_db, batches), {"publish_to": snap})])
        res["file_alone"] = r["loader"]
        con = duckdb.connect(snap, read_only=True)
        res["file_weekly_ms"], _ = timed_weekly(con)
        con.close()
        print("file alone + publish:", res["file_alone"], flush=True)

        g = tmp / "file_mixed"
        g.mkdir()
        main2 = str(g / "monitor.duckdb")
        r = run_procs([(loader, ("file", main2, batches), {"publish_to": str(g / "monitor.snapshot.duckdb")}),
                       (file_knocker, ("desk", main2, ""), {"interval": args.desk_interval}),
                       (file_knocker, ("analyst", main2, snap), {"interval": args.desk_interval})])
        res["file_mixed"] = r
        print("file mixed:", r, flush=True)

    la, lm = res["lake_alone"], res["lake_mixed"].get("loader", {})
    fa = res["file_alone"]
    res["ratios"] = {
        "lake_loader_mixed_vs_alone": round(lm.get("rows_per_s", 0) / la["rows_per_s"], 2) if lm else None,
        "lake_vs_file_loader_alone": round(la["rows_per_s"] / fa["rows_per_s"], 2),
        "lake_vs_file_weekly_query": round(res["lake_weekly_ms"] / res["file_weekly_ms"], 2),
    }
    print(json.dumps(res, indent=2, default=str))
    if args.json:
        args.json.write_text(json.dumps(res, indent=2, default=str), encoding="utf-8")
    return res


if __name__ == "__main__":
    main()
