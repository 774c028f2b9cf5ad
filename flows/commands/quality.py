"""How right the monitor is, and learning from labelled articles: evaluate, train."""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from flows.commands.common import (
    DECIMAL, DEFAULT_DB, INT, command, corpus_option, db_option, fail, json_option, option, out_option,
    quiet_prefect, require_db, reviews_option, since_option, workers_option,
)

FLOOR_NAMES = {"precision": "precisión", "recall": "exhaustividad", "theme_accuracy": "exactitud de tema"}


@command("evaluate", "mide qué tanto acierta el monitor en un corpus de prueba etiquetado",
         "Recorre un corpus etiquetado (p. ej. ../shared/corpus) a través de su proxy de reproducción y muestra "
         "la precisión, la exhaustividad, la exactitud de tema, alcance y fecha, los errores por proceso y por "
         "trampa, y si los conteos coinciden con el expected.json del corpus.")
@corpus_option("la carpeta del corpus (con labels.jsonl y web/)")
@reviews_option("en lugar de un corpus: califica al etiquetador frente a las decisiones de la mesa de revisión "
                "guardadas en --db")
@db_option(None, "la base de datos a escribir (por omisión: data/evaluation-<corpus>.ducklake)")
@option("--reuse", is_flag=True, help="califica la base existente sin volver a recorrer el corpus")
@since_option("2023-01-01", "desde qué fecha se recorren los artículos pasados (por omisión: 2023-01-01)")
@json_option("también escribe las calificaciones en este archivo JSON")
@workers_option()
@option("--min-precision", type=DECIMAL, metavar="X", help="falla (código de salida 1) por debajo de esta precisión")
@option("--min-recall", type=DECIMAL, metavar="X", help="falla (código de salida 1) por debajo de esta exhaustividad")
@option("--min-theme", type=DECIMAL, metavar="X",
        help="falla (código de salida 1) por debajo de esta exactitud de tema")
@option("--max-unrelated", type=INT, metavar="N",
        help="falla (código de salida 1) si se cuentan como apariciones más de N páginas reales no "
             "relacionadas del corpus (trampa real_page)")
def evaluate(corpus, reviews, db, reuse, since, json_out, workers, min_precision, min_recall, min_theme,
             max_unrelated) -> int:
    """Crawl a labelled corpus through its replay proxy (or read a database of it) and score it."""
    from flows.evaluate import format_report, replay_proxy
    from flows.labelled import read_labels
    from warehouse.evaluation import read_database, score

    if reviews:
        return _evaluate_reviews(db, json_out)
    if corpus is None or not (corpus / "labels.jsonl").exists():
        fail(("Falta el corpus" if corpus is None else f"{corpus} no es un corpus etiquetado (le falta labels.jsonl)")
             + ": indique --corpus CARPETA, o --reviews para calificar al etiquetador frente a las decisiones de "
               "la mesa de revisión.")
    db = db or Path("data") / f"evaluation-{corpus.resolve().name}.ducklake"
    if reuse:
        require_db(db)
    else:
        quiet_prefect()
        from flows.flows import run_crawl

        for suffix in ("", ".wal"):
            Path(str(db) + suffix).unlink(missing_ok=True)
        staging = db.resolve().parent / "staging"
        print(f"Recorriendo {corpus} a través de su proxy de reproducción (con los ajustes corteses de "
              "producción)...")
        started = time.monotonic()
        with replay_proxy(corpus, db.with_suffix(".requests.jsonl")) as proxy:
            result = run_crawl(str(corpus / "sources.yaml"), str(db), since=since, workers=workers,
                               env={"http_proxy": proxy, "HTTP_PROXY": proxy}, fetch_retries=0)
        print(f"Recolección terminada en {time.monotonic() - started:.0f} s: {result.loaded.pages} páginas, "
              f"{result.loaded.appearances} apariciones.")
        if not result.loaded.pages:
            fail("La recolección no descargó ninguna página: no se pudo llegar al corpus (vea el registro de la "
                 f"recolección en {staging / 'loaded'}).", code=1)
    rows, yearly, weekly = read_database(db)
    expected_path = corpus / "expected.json"
    expected = json.loads(expected_path.read_text()) if expected_path.exists() else None
    labels = read_labels(corpus)
    result = score(labels, rows, expected, yearly, weekly)
    scores = result.as_dict()
    print(format_report(result))
    if json_out:
        json_out.write_text(json.dumps(scores, indent=1, ensure_ascii=False))
    floors = {"precision": min_precision, "recall": min_recall, "theme_accuracy": min_theme}
    low = [f"{FLOOR_NAMES[k]} {scores[k]:.3f} < {v}" for k, v in floors.items() if v is not None and scores[k] < v]
    unrelated = [f["url"] for f in result.false_positives if f["trap"] == "real_page"]
    if any(label.get("trap") == "real_page" for label in labels):
        print(f"Páginas reales no relacionadas contadas como apariciones: {len(unrelated)}")
    if max_unrelated is not None and len(unrelated) > max_unrelated:
        low.append(f"{len(unrelated)} páginas reales no relacionadas contadas > {max_unrelated}")
    if low:
        print("POR DEBAJO DEL MÍNIMO FIJADO: " + "; ".join(low), file=sys.stderr)
        return 1
    return 0


def _evaluate_reviews(db: Path | None, json_out: Path | None) -> int:
    """Score the tagger against the people's decisions in the review desk."""
    from flows.evaluate import format_report
    from warehouse.db import connect
    from warehouse.evaluation import score
    from warehouse.reviews import review_labels, tagger_verdicts

    db = db or DEFAULT_DB
    require_db(db)
    con = connect(db, read_only=True)
    try:
        labels, verdicts = review_labels(con), tagger_verdicts(con)
    finally:
        con.close()
    if not labels:
        print(f"Todavía no hay decisiones de revisión en {db}: revise primero algunas apariciones con "
              "`prodesc-monitor review`.")
        return 0
    result = score(labels, verdicts)
    print(f"El etiquetador frente a {len(labels)} artículos revisados por personas en {db}:")
    print(format_report(result))
    if json_out:
        json_out.write_text(json.dumps(result.as_dict(), indent=1, ensure_ascii=False))
    return 0


@command("train", "aprende de los artículos etiquetados y de las decisiones de la mesa de revisión",
         "Valida de forma cruzada (por artículos, con semilla fija) la decisión aprendida sobre nombres ambiguos "
         "frente a las reglas, y escribe nlp/model.json solo si la supera. Los mismos datos dan el mismo archivo.")
@corpus_option("un corpus etiquetado (labels.jsonl y web/); se puede repetir", multiple=True)
@reviews_option("usa también las decisiones de la mesa de revisión guardadas en --db")
@db_option(help="la base de datos (por omisión: data/monitor.ducklake)")
@out_option(None, "dónde escribir el modelo (por omisión: nlp/model.json)", metavar="ARCHIVO")
@option("--folds", type=INT, default=5, metavar="N", help="pliegues de la validación cruzada (por omisión: 5)")
@option("--dry-run", is_flag=True, help="solo mide; no escribe ni borra el modelo")
@option("--force", is_flag=True, help="escribe el modelo aunque no supere a las reglas")
@json_option("escribe también el informe (pliegues incluidos) en este JSON")
def train(corpus, reviews, db, out, folds, dry_run, force, json_out) -> int:
    """Cross-validate the learned decision on labelled articles; write nlp/model.json if it wins."""
    from flows.labelled import from_corpus, from_reviews
    from flows.training import train as cross_validate
    from nlp.model import DEFAULT_MODEL_PATH

    out = out or DEFAULT_MODEL_PATH
    articles = []
    for folder in corpus:
        if not (folder / "labels.jsonl").exists() or not (folder / "web" / "index.json").exists():
            print(f"{folder} no es un corpus etiquetado (le falta labels.jsonl o web/index.json); se omite.",
                  file=sys.stderr)
            continue
        found = from_corpus(folder)
        print(f"{folder}: {len(found)} artículos etiquetados")
        articles += found
    if reviews:
        from warehouse.lake import locate
        if not locate(db).exists():          # not db.exists(): a postgres: catalog is no file
            print(f"No existe la base {db}: sin decisiones de la mesa de revisión.", file=sys.stderr)
        else:
            found = from_reviews(db)
            print(f"{db}: {len(found)} decisiones de la mesa de revisión")
            articles += found
    if not articles:
        fail("No hay artículos etiquetados para entrenar: indique --corpus o --reviews.")
    report = cross_validate(articles, out=None if dry_run else out, folds=folds, force=force)
    r, m = report.rules, report.model
    print(f"Validación cruzada ({folds} pliegues, {report.articles} artículos, {report.pairs} pares "
          f"artículo-proceso, {report.positives} positivos):")
    print(f"  reglas: precisión {r.precision:.3f}, exhaustividad {r.recall:.3f}, tema {r.theme:.3f}")
    print(f"  modelo: precisión {m.precision:.3f}, exhaustividad {m.recall:.3f}, tema {m.theme:.3f}")
    for src, both in sorted(report.by_source.items()):
        rs, ms = both["rules"], both["model"]
        print(f"  {src}: reglas P {rs.precision:.3f} R {rs.recall:.3f} tema {rs.theme:.3f} | "
              f"modelo P {ms.precision:.3f} R {ms.recall:.3f} tema {ms.theme:.3f}")
    if report.shipped:
        print(f"El modelo supera a las reglas: guardado en {report.path}.")
    elif dry_run:
        print("Prueba sin escribir (--dry-run): no se guardó nada.")
    else:
        print(f"El modelo no supera a las reglas en la validación cruzada: deciden las reglas y no se escribió {out}.")
        if out.exists():
            out.unlink()
            print(f"Se quitó el modelo anterior ({out}).")
    if json_out:
        json_out.write_text(json.dumps(report.as_dict(), indent=1, ensure_ascii=False), encoding="utf-8")
    return 0

