"""`prodesc-monitor`: the command line the communications team and analysts use.

Each command is a thin layer over library functions; its help text is written for
a person who is not a programmer.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from datetime import date
from pathlib import Path

DEFAULT_SOURCES = Path("sources.yaml")
DEFAULT_DB = Path("data/monitor.duckdb")
DEMO_DB = Path("data/demo.duckdb")


def _quiet_prefect() -> None:
    """Prefect runs offline on its own temporary server: no telemetry, a patient start-up,
    and never through the crawl's HTTP proxy (the proxy is for the press, not for Prefect)."""
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    loopback = "127.0.0.1,localhost,::1"
    for key in ("NO_PROXY", "no_proxy"):
        current = os.environ.get(key, "")
        os.environ[key] = f"{current},{loopback}" if current else loopback


def _day(text: str) -> str:
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date like 2023-01-31") from None


def _print_summary(result) -> None:
    from flows.summary import summary_markdown
    print(summary_markdown(result))


def cmd_crawl(args) -> int:
    _quiet_prefect()
    from flows.crawl import run_crawl

    if not args.sources.exists():
        print(f"The sources file {args.sources} does not exist. Give one with --sources FILE.", file=sys.stderr)
        return 2
    result = run_crawl(str(args.sources), str(args.db), since=args.since, until=args.until, refetch=args.refetch,
                       workers=args.workers, fetch_retries=0)
    _print_summary(result)
    print(f"\nSaved in {args.db}.")
    return 0


def cmd_load(args) -> int:
    from flows.steps import load_staged
    summary = load_staged(args.db, args.sources)
    print(f"Loaded {summary.pages} staged pages: {summary.articles} articles, {summary.appearances} appearances.")
    return 0


def cmd_tally(args) -> int:
    from warehouse.db import connect
    from warehouse.tally import AlreadyFrozen, compare, format_table, freeze, frozen_years, tally, write_outputs

    con = connect(args.db)
    try:
        if args.list_frozen:
            years = frozen_years(con)
            if not years:
                print("No year has been frozen yet.")
            for year, at, by, total, note in years:
                print(f"{year}: {total} appearances, frozen {at:%Y-%m-%d %H:%M}" + (f" by {by}" if by else "")
                      + (f" ({note})" if note else ""))
            return 0
        if args.freeze:
            try:
                total = freeze(con, args.year, by=args.by, note=args.note)
            except AlreadyFrozen as exc:
                print(exc, file=sys.stderr)
                return 1
            print(f"Froze {args.year}: {total} appearances. This number will not change any more.\n")
        is_frozen = any(y[0] == args.year for y in frozen_years(con))
        use_frozen = is_frozen and not args.live
        table = tally(con, args.year, frozen=use_frozen)
        label = " (frozen / congelado)" if use_frozen else (" (live / en vivo)" if is_frozen else "")
        text = format_table(table, args.year, args.lang)
        print(text.replace(f", {args.year}", f", {args.year}{label}", 1))
        if args.compare:
            if not is_frozen:
                print(f"\n{args.year} has not been frozen: nothing to compare with.")
            else:
                diffs = compare(con, args.year)
                print("\nLive count vs frozen: " + ("the same in every cell." if not diffs else f"{len(diffs)} cells differ"))
                for theme, reach, was, now in diffs:
                    print(f"  {theme} / {reach}: frozen {was}, live {now}")
        if args.out:
            files = write_outputs(table, args.year, args.out, "-frozen" if use_frozen else "")
            print("\nWritten: " + ", ".join(str(f) for f in files))
    finally:
        con.close()
    return 0


def cmd_retag(args) -> int:
    from flows.steps import retag

    result = retag(args.db)
    print(f"Tagged {result['articles']} stored articles again with knowledge base {result['kb_version']}: "
          f"{result['changed']} changed their verdict or theme. Frozen years are not affected.")
    return 0


def cmd_add(args) -> int:
    from warehouse.db import connect
    from warehouse.manual import ManualCSVError, add_manual, read_manual_csv

    try:
        rows = read_manual_csv(args.csv)
    except (ManualCSVError, FileNotFoundError) as exc:
        print(exc, file=sys.stderr)
        return 2
    con = connect(args.db)
    try:
        new = add_manual(con, rows)
    finally:
        con.close()
    print(f"Read {len(rows)} manual appearances from {args.csv}: {new} new, {len(rows) - new} already there (updated).")
    return 0


def cmd_export(args) -> int:
    from warehouse.db import connect
    from warehouse.export import export

    con = connect(args.db, read_only=True)
    try:
        files = export(con, args.out, tuple(args.format))
    finally:
        con.close()
    print("Written:\n" + "\n".join(f"  {f}" for f in files))
    return 0


def cmd_search(args) -> int:
    from warehouse.db import connect
    from warehouse.search import search

    con = connect(args.db, read_only=True)
    try:
        rows = search(con, " ".join(args.words), args.limit)
    finally:
        con.close()
    if not rows:
        print("No article matches.")
    for score, day, outlet, title, url, counted in rows:
        print(f"{day}  {outlet}: {title}{'' if counted else '  [not an appearance]'}\n    {url}")
    return 0


def cmd_demo(args) -> int:
    """Serve the sample web on this machine and run the real crawl against it."""
    _quiet_prefect()
    from flows.crawl import run_crawl
    from flows.sampleweb import serving
    from flows.steps import LOCAL_SERVER_SETTINGS
    from warehouse.db import connect, query
    from warehouse.tally import format_table, tally

    sample = Path(__file__).parent / "sample_web"
    for suffix in ("", ".wal"):
        Path(str(args.db) + suffix).unlink(missing_ok=True)   # the demo always starts afresh
    print("Serving the offline sample web on this machine and crawling it (about a minute)...")
    with serving(sample / "web") as proxy:
        result = run_crawl(str(sample / "sources.yaml"), str(args.db), since="2023-01-01", fetch_retries=0,
                           settings=LOCAL_SERVER_SETTINGS, env={"http_proxy": proxy, "HTTP_PROXY": proxy})
    _print_summary(result)
    con = connect(args.db)
    try:
        print()
        print(format_table(tally(con, 2023), 2023))
        print("\nApariciones por semana / appearances per week:")
        for week, n in con.execute(query("recent_weeks"), {"weeks": 4}).fetchall():
            print(f"  {week}: {n}")
    finally:
        con.close()
    print(f"\nThe demo database is {args.db}; open it with DuckDB to explore the views "
          "appearances, weekly_counts and yearly_tally.")
    return 0


def cmd_evaluate(args) -> int:
    """Crawl a labelled corpus through its replay proxy (or read a database of it) and score it."""
    from flows.evaluate import format_report, read_database, read_labels, replay_proxy, score

    if args.reviews:
        return _evaluate_reviews(args)
    corpus = args.corpus
    if corpus is None or not (corpus / "labels.jsonl").exists():
        print(f"{corpus} is not a labelled corpus (no labels.jsonl). Give --corpus DIR, or --reviews to score "
              "the tagger against the review desk's decisions.", file=sys.stderr)
        return 2
    db = args.db or Path("data") / f"evaluation-{corpus.resolve().name}.duckdb"
    if not args.reuse:
        _quiet_prefect()
        from flows.crawl import run_crawl

        for suffix in ("", ".wal"):
            Path(str(db) + suffix).unlink(missing_ok=True)
        staging = db.resolve().parent / "staging"
        print(f"Crawling {corpus} through its replay proxy (polite settings, as in production)...")
        started = time.monotonic()
        with replay_proxy(corpus, db.with_suffix(".requests.jsonl")) as proxy:
            result = run_crawl(str(corpus / "sources.yaml"), str(db), since=args.since, workers=args.workers,
                               env={"http_proxy": proxy, "HTTP_PROXY": proxy}, fetch_retries=0)
        print(f"Crawl finished in {time.monotonic() - started:.0f} s: {result.loaded.pages} pages, "
              f"{result.loaded.appearances} appearances.")
        if not result.loaded.pages:
            print("The crawl fetched no page: the corpus could not be reached (see the crawl log in "
                  f"{staging / 'loaded'}).", file=sys.stderr)
            return 1
    rows, yearly, weekly = read_database(db)
    expected_path = corpus / "expected.json"
    expected = json.loads(expected_path.read_text()) if expected_path.exists() else None
    result = score(read_labels(corpus), rows, expected, yearly, weekly)
    print(format_report(result))
    if args.json:
        args.json.write_text(json.dumps(result.as_dict(), indent=1, ensure_ascii=False))
    floors = {"precision": args.min_precision, "recall": args.min_recall, "theme_accuracy": args.min_theme}
    low = [f"{k} {result.as_dict()[k]:.3f} < {v}" for k, v in floors.items() if v is not None and result.as_dict()[k] < v]
    unrelated = [f["url"] for f in result.false_positives if f["trap"] == "real_page"]
    if any(label.get("trap") == "real_page" for label in read_labels(corpus)):
        print(f"Unrelated real pages counted as appearances: {len(unrelated)}")
    if args.max_unrelated is not None and len(unrelated) > args.max_unrelated:
        low.append(f"{len(unrelated)} unrelated real pages counted > {args.max_unrelated}")
    if low:
        print("BELOW THE PINNED FLOOR: " + "; ".join(low), file=sys.stderr)
        return 1
    return 0


def cmd_train(args) -> int:
    """Cross-validate the learned decision on labelled articles; write nlp/model.json if it wins."""
    from flows.labelled import from_corpus, from_reviews
    from flows.training import train

    articles = []
    for corpus in args.corpus:
        if not (corpus / "labels.jsonl").exists() or not (corpus / "web" / "index.json").exists():
            print(f"{corpus} no es un corpus etiquetado (le falta labels.jsonl o web/index.json); se omite.",
                  file=sys.stderr)
            continue
        found = from_corpus(corpus)
        print(f"{corpus}: {len(found)} artículos etiquetados")
        articles += found
    if args.reviews:
        if not args.db.exists():
            print(f"No existe la base {args.db}: sin decisiones del escritorio de revisión.", file=sys.stderr)
        else:
            found = from_reviews(args.db)
            print(f"{args.db}: {len(found)} decisiones del escritorio de revisión")
            articles += found
    if not articles:
        print("No hay artículos etiquetados para entrenar: indica --corpus o --reviews.", file=sys.stderr)
        return 2
    report = train(articles, out=None if args.dry_run else args.out, folds=args.folds, force=args.force)
    r, m = report.rules, report.model
    print(f"Validación cruzada ({args.folds} pliegues, {report.articles} artículos, {report.pairs} pares "
          f"artículo-proceso, {report.positives} positivos):")
    print(f"  reglas: precisión {r.precision:.3f}, exhaustividad {r.recall:.3f}, tema {r.theme:.3f}")
    print(f"  modelo: precisión {m.precision:.3f}, exhaustividad {m.recall:.3f}, tema {m.theme:.3f}")
    for src, both in sorted(report.by_source.items()):
        rs, ms = both["rules"], both["model"]
        print(f"  {src}: reglas P {rs.precision:.3f} R {rs.recall:.3f} tema {rs.theme:.3f} | "
              f"modelo P {ms.precision:.3f} R {ms.recall:.3f} tema {ms.theme:.3f}")
    if report.shipped:
        print(f"El modelo supera a las reglas: guardado en {report.path}.")
    elif args.dry_run:
        print("Prueba sin escribir (--dry-run): no se guardó nada.")
    else:
        print("El modelo no supera a las reglas en la validación cruzada: deciden las reglas "
              f"y no se escribió {args.out}.")
        if args.out.exists():
            args.out.unlink()
            print(f"Se quitó el modelo anterior ({args.out}).")
    if args.json:
        args.json.write_text(json.dumps(report.as_dict(), indent=1, ensure_ascii=False), encoding="utf-8")
    return 0


def cmd_serve(args) -> int:
    """Register every scheduled flow with Prefect and run each when due."""
    _quiet_prefect()
    from flows.schedule import SCHEDULES, ensure_server, serve_all

    server = ensure_server(args.port)
    try:
        print(f"Prefect: {os.environ['PREFECT_API_URL']} (open it without /api in a browser to see the runs)")
        for name, (_, cron, description) in SCHEDULES.items():
            print(f"  {name:18} {description}")
        serve_all(args.sources, args.db, args.out, args.workers)
    finally:
        if server is not None:
            server.terminate()
    return 0


def cmd_deploy_partitions(args) -> int:
    """Spread the daily crawl over the workers of a Prefect work pool."""
    _quiet_prefect()
    from flows.schedule import deploy_partitions, ensure_server

    ensure_server(args.port)
    for deployment_id in deploy_partitions(args.sources, args.db, args.work_pool, args.parts):
        print(f"Deployment registered: {deployment_id}")
    print(f"Start workers with: prefect worker start --pool {args.work_pool}  (one per machine or core)")
    return 0


def cmd_alerts(args) -> int:
    """Set up failure and silent-outlet notices on the Prefect server."""
    _quiet_prefect()
    from flows.alerts import create_automations, save_webhook_block
    from flows.schedule import ensure_server

    if not args.webhook and not args.block:
        print("Give --webhook URL, or --block NAME of a notification block made in the Prefect UI.", file=sys.stderr)
        return 2
    ensure_server(args.port)
    block = save_webhook_block(args.webhook) if args.webhook else args.block
    for name in create_automations(block):
        print(f"Automation ready: {name} (notifies through block '{block}')")
    return 0


def _evaluate_reviews(args) -> int:
    """Score the tagger against the people's decisions in the review desk."""
    from flows.evaluate import format_report, score
    from warehouse.db import connect
    from warehouse.reviews import review_labels, tagger_verdicts

    db = args.db or DEFAULT_DB
    con = connect(db, read_only=True)
    try:
        labels, verdicts = review_labels(con), tagger_verdicts(con)
    finally:
        con.close()
    if not labels:
        print(f"No review decisions in {db} yet: review some appearances with `prodesc-monitor review` first.")
        return 0
    result = score(labels, verdicts)
    print(f"The tagger against {len(labels)} articles people reviewed in {db}:")
    print(format_report(result))
    if args.json:
        args.json.write_text(json.dumps(result.as_dict(), indent=1, ensure_ascii=False))
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="prodesc-monitor",
        description="Finds where ProDESC and the communities, collectives and unions it accompanies "
                    "appear in the press, and counts those appearances by theme and reach.")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    c = sub.add_parser("crawl", help="read the outlets' feeds (and sitemaps for past dates) and store what is new",
                       description="Reads every feed in the sources file; with --since, also goes through the "
                                   "outlets' sitemaps for articles published in that period. Articles are read, "
                                   "checked for mentions of ProDESC and its processes, and stored in the database.")
    c.add_argument("--sources", type=Path, default=DEFAULT_SOURCES, help="the outlets to follow (default: sources.yaml)")
    c.add_argument("--db", type=Path, default=DEFAULT_DB, help="the database file (default: data/monitor.duckdb)")
    c.add_argument("--since", type=_day, help="also look back through sitemaps to this date, e.g. 2023-01-01")
    c.add_argument("--until", type=_day, help="last publication date to include, e.g. 2023-12-31")
    c.add_argument("--workers", type=int, default=None,
                   help="read and tag articles in this many processes at once (a local Dask cluster); "
                        "worth it for big backfills")
    c.add_argument("--refetch", action="store_true",
                   help="fetch articles again even if already stored (e.g. after improving text extraction)")
    c.set_defaults(func=cmd_crawl)

    d = sub.add_parser("demo", help="try everything offline on a small sample web served on this machine")
    d.add_argument("--db", type=Path, default=DEMO_DB, help="where to write the demo database (default: data/demo.duckdb)")
    d.set_defaults(func=cmd_demo)

    t = sub.add_parser("tally", help="print the year's appearances by theme and reach (the annual-report table)")
    t.add_argument("--year", type=int, default=date.today().year - 1, help="the year to count (default: last year)")
    t.add_argument("--db", type=Path, default=DEFAULT_DB, help="the database file (default: data/monitor.duckdb)")
    t.add_argument("--lang", choices=("both", "es", "en"), default="both", help="labels in Spanish, English or both")
    t.add_argument("--out", type=Path, help="also write the table as CSV, XLSX and Markdown into this folder")
    t.add_argument("--freeze", action="store_true",
                   help="store this year's count for good (do it when the annual report is printed)")
    t.add_argument("--by", help="with --freeze: who froze it")
    t.add_argument("--note", help="with --freeze: a note, e.g. 'Informe anual 2023'")
    t.add_argument("--live", action="store_true", help="for a frozen year, show the live count instead")
    t.add_argument("--compare", action="store_true", help="for a frozen year, show where the live count differs")
    t.add_argument("--list-frozen", action="store_true", help="list the frozen years")
    t.set_defaults(func=cmd_tally)

    r = sub.add_parser("retag", help="check stored articles again after the knowledge base changed (fetches nothing)")
    r.add_argument("--db", type=Path, default=DEFAULT_DB, help="the database file (default: data/monitor.duckdb)")
    r.set_defaults(func=cmd_retag)

    a = sub.add_parser("add", help="add print, radio or TV appearances from a CSV file",
                       description="Adds appearances the crawler cannot see. The CSV needs the columns date, outlet, "
                                   "medium (print/radio/tv/online/other), theme (land_territory/labour/defenders/"
                                   "institutional) and title; optional: url, reach, process, note, added_by. "
                                   "Adding the same file twice does not count anything twice.")
    a.add_argument("--csv", type=Path, required=True, help="the CSV file")
    a.add_argument("--db", type=Path, default=DEFAULT_DB, help="the database file (default: data/monitor.duckdb)")
    a.set_defaults(func=cmd_add)

    x = sub.add_parser("export", help="write the appearances, counts and articles as Parquet and CSV files")
    x.add_argument("--out", type=Path, default=Path("export"), help="folder to write into (default: export)")
    x.add_argument("--format", nargs="+", choices=("parquet", "csv"), default=["parquet", "csv"])
    x.add_argument("--db", type=Path, default=DEFAULT_DB, help="the database file (default: data/monitor.duckdb)")
    x.set_defaults(func=cmd_export)

    s = sub.add_parser("search", help="find articles by words in their text (full-text search)")
    s.add_argument("words", nargs="+", help="the words to look for, e.g. parque eólico")
    s.add_argument("--limit", type=int, default=20)
    s.add_argument("--db", type=Path, default=DEFAULT_DB, help="the database file (default: data/monitor.duckdb)")
    s.set_defaults(func=cmd_search)

    e = sub.add_parser("evaluate", help="measure how right the monitor is on a labelled test corpus",
                       description="Crawls a labelled corpus (e.g. ../shared/corpus) through its replay proxy and "
                                   "prints precision, recall, theme/reach/date accuracy, the mistakes by process and "
                                   "by trap, and whether the tallies match the corpus's expected.json.")
    e.add_argument("--corpus", type=Path, help="the corpus folder (with labels.jsonl and web/)")
    e.add_argument("--reviews", action="store_true",
                   help="instead of a corpus: score the tagger against the review desk's decisions in --db")
    e.add_argument("--db", type=Path, help="database to write (default: data/evaluation-<corpus>.duckdb)")
    e.add_argument("--reuse", action="store_true", help="score the existing database without crawling again")
    e.add_argument("--since", type=_day, default="2023-01-01", help="backfill start date (default 2023-01-01)")
    e.add_argument("--json", type=Path, help="also write the scores to this JSON file")
    e.add_argument("--workers", type=int, default=None, help="read and tag in this many processes (Dask)")
    e.add_argument("--min-precision", type=float, help="fail (exit 1) below this precision")
    e.add_argument("--min-recall", type=float, help="fail (exit 1) below this recall")
    e.add_argument("--min-theme", type=float, help="fail (exit 1) below this theme accuracy")
    e.add_argument("--max-unrelated", type=int,
                   help="fail (exit 1) when more of the corpus's unrelated real pages (trap real_page) are counted")
    e.set_defaults(func=cmd_evaluate)

    tr = sub.add_parser("train", help="aprende de los artículos etiquetados y de las decisiones del escritorio de revisión",
                        description="Valida de forma cruzada (por artículos, con semilla fija) la decisión aprendida "
                                    "sobre nombres ambiguos frente a las reglas, y escribe nlp/model.json solo si la "
                                    "supera. Los mismos datos dan el mismo archivo.")
    tr.add_argument("--corpus", type=Path, action="append", default=[],
                    help="un corpus etiquetado (labels.jsonl y web/); se puede repetir")
    tr.add_argument("--reviews", action="store_true", help="usa también las decisiones del escritorio guardadas en --db")
    tr.add_argument("--db", type=Path, default=DEFAULT_DB, help="la base de datos (por omisión: data/monitor.duckdb)")
    tr.add_argument("--out", type=Path, default=None, help="dónde escribir el modelo (por omisión: nlp/model.json)")
    tr.add_argument("--folds", type=int, default=5, help="pliegues de la validación cruzada (por omisión: 5)")
    tr.add_argument("--dry-run", action="store_true", help="solo mide; no escribe ni borra el modelo")
    tr.add_argument("--force", action="store_true", help="escribe el modelo aunque no supere a las reglas")
    tr.add_argument("--json", type=Path, help="escribe también el informe (pliegues incluidos) en este JSON")
    tr.set_defaults(func=cmd_train)

    sv = sub.add_parser("serve", help="run the monitor on its schedule (daily crawl, Monday report...) until stopped",
                        description="Registers every scheduled job with Prefect (times in Mexico City) and runs each "
                                    "when due: daily monitoring 06:00, weekly backfill Sunday 03:00, weekly report "
                                    "Monday 08:00, year-end tally 10 January, retag when the knowledge base changed. "
                                    "Starts a Prefect server on this machine unless PREFECT_API_URL is set.")
    sv.add_argument("--sources", type=Path, default=DEFAULT_SOURCES)
    sv.add_argument("--db", type=Path, default=DEFAULT_DB)
    sv.add_argument("--out", type=Path, default=Path("reports"), help="where reports and tallies are written")
    sv.add_argument("--workers", type=int, default=None, help="processes for reading and tagging (Dask)")
    sv.add_argument("--port", type=int, default=4200, help="port of the local Prefect server (default 4200)")
    sv.set_defaults(func=cmd_serve)

    dp = sub.add_parser("deploy-partitions", help="for big registries: split the daily crawl across Prefect workers",
                        description="Registers one crawl deployment per group of outlets on a Prefect work pool "
                                    "(06:00 daily, Mexico City), and one loader at 06:45 that stores what they "
                                    "fetched. Workers must share the staging folder next to the database.")
    dp.add_argument("--work-pool", required=True, help="the Prefect work pool (type process), e.g. prodesc-crawlers")
    dp.add_argument("--parts", type=int, default=2, help="how many groups of outlets (default 2)")
    dp.add_argument("--sources", type=Path, default=DEFAULT_SOURCES)
    dp.add_argument("--db", type=Path, default=DEFAULT_DB)
    dp.add_argument("--port", type=int, default=4200)
    dp.set_defaults(func=cmd_deploy_partitions)

    al = sub.add_parser("alerts", help="get a message when a scheduled run fails or an outlet goes silent",
                        description="Creates Prefect automations that notify through a webhook (or any notification "
                                    "block you made in the Prefect UI: e-mail, Slack, Teams...). Nothing is sent "
                                    "until you run this.")
    al.add_argument("--webhook", help="URL that receives a POST with the message")
    al.add_argument("--block", help="an existing Prefect notification block, as TYPE/NAME (e.g. slack-webhook/equipo)")
    al.add_argument("--port", type=int, default=4200)
    al.set_defaults(func=cmd_alerts)

    from flows.report import add_report_commands
    from flows.desk.command import add_review_command
    add_report_commands(sub)
    add_review_command(sub)

    lo = sub.add_parser("load", help="load pages a crawl fetched but could not store (e.g. the database was busy)")
    lo.add_argument("--sources", type=Path, default=DEFAULT_SOURCES)
    lo.add_argument("--db", type=Path, default=DEFAULT_DB)
    lo.set_defaults(func=cmd_load)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if getattr(args, "func", None) is cmd_train and args.out is None:
        from nlp.model import DEFAULT_MODEL_PATH
        args.out = DEFAULT_MODEL_PATH
    try:
        return args.func(args) or 0
    except KeyboardInterrupt:
        print("Stopped.", file=sys.stderr)
        return 130
    except Exception as exc:   # a person reads this: the reason, not a traceback (unless asked)
        if os.environ.get("PRODESC_MONITOR_DEBUG"):
            raise
        print(f"\nStopped: {exc}\n(Set PRODESC_MONITOR_DEBUG=1 to see the technical details.)", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
