"""The numbers and the stored articles: tally, add, search, export."""
from __future__ import annotations

from functools import cache
from pathlib import Path

import click
from click.core import ParameterSource

from flows.commands.common import (
    INT, PATH, YEAR, OneOf, command, db_option, fail, lang_option, live_option, option, out_option, require_db,
    year_option,
)

FORMATS = ("parquet", "csv")
FROZEN_LABEL = {"es": "congelado", "en": "frozen", "both": "congelado / frozen"}
LIVE_LABEL = {"es": "en vivo", "en": "live", "both": "en vivo / live"}


@command("tally", "muestra las apariciones del año por tema y alcance (la tabla del informe anual)")
@year_option("el año a contar (por omisión: el año pasado)")
@db_option()
@lang_option(("both", "es", "en"), "both",
             "etiquetas en español (es), inglés (en) o ambos (both); por omisión, el idioma de PRODESC_MONITOR_LANG "
             "si está definida, o both")
@out_option(None, "también escribe la tabla como CSV, XLSX y Markdown en esta carpeta (solo en el idioma de --lang)")
@option("--paragraph", is_flag=True,
        help="también escribe el párrafo del informe anual («Durante 2023, ProDESC y los procesos que acompaña…»)")
@option("--freeze", is_flag=True,
        help="guarda para siempre la cifra de este año (hágalo cuando se imprima el informe anual): primero muestra "
             "lo pendiente de revisar; congela solo con --yes y --by")
@option("--by", metavar="NOMBRE", help="con --freeze (obligatorio): quién la congela")
@option("--yes", is_flag=True, help="con --freeze: confirma que se congele tal como está")
@option("--note", metavar="TEXTO", help="con --freeze: una nota, p. ej. 'Informe anual 2023'")
@live_option()
@option("--compare", is_flag=True, help="para un año congelado, muestra dónde difiere la cifra en vivo")
@option("--as-frozen", is_flag=True,
        help="para un año congelado, lo vuelve a contar en la versión del almacén en que se congeló y dice si da "
             "exactamente la tabla congelada (termina con código 1 si alguna celda difiere)")
@option("--list-frozen", is_flag=True, help="lista los años congelados")
def tally(year, db, lang, out, paragraph, freeze, by, yes, note, live, compare, as_frozen, list_frozen) -> int:
    from flows.commands.language import number
    from flows.report import format_moment
    from flows.report.annual import year_paragraph
    from warehouse.db import connect
    from warehouse.tally import AlreadyFrozen, format_table, freeze_checklist, frozen_years, write_outputs
    from warehouse.tally import compare as compare_frozen
    from warehouse.tally import freeze as freeze_year
    from warehouse.tally import tally as count

    langs = ("es", "en") if lang == "both" else (lang,)
    if freeze and not (by or "").strip():
        fail(f"Diga quién congela {year}: --by \"su nombre\" (queda guardado con la cifra).")
    require_db(db)   # connect() would create an empty warehouse and print a table of zeros (issue 17)
    con = connect(db)
    try:
        if list_frozen:
            years = frozen_years(con)
            if not years:
                print("Todavía no se ha congelado ningún año.")
            for y, at, who, total, text in years:
                print(f"{y}: {number(total)} apariciones, congelado el {format_moment(at, 'es')}"
                      + (f" por {who}" if who else "") + (f" ({text})" if text else ""))
            return 0
        if freeze:
            if any(y[0] == year for y in frozen_years(con)):
                fail(f"{year} ya está congelado: su cifra publicada no puede cambiar. Compárela con la cifra "
                     f"en vivo con `prodesc-monitor tally --year {year} --compare`.", code=1)
            live_table = count(con, year)
            print(checklist_text(freeze_checklist(con, year), sum(map(sum, (c.values() for c in live_table.values())))))
            if not yes:
                print(f"\nNo se congeló nada. Para congelar {year} tal como está, repita la orden con --yes:\n"
                      f"  prodesc-monitor tally --year {year} --freeze --by \"{by.strip()}\" --yes")
                return 1
            try:
                total = freeze_year(con, year, by=by, note=note)
            except AlreadyFrozen:
                fail(f"{year} ya está congelado: su cifra publicada no puede cambiar. Compárela con la cifra "
                     f"en vivo con `prodesc-monitor tally --year {year} --compare`.", code=1)
            at = next(y[1] for y in frozen_years(con) if y[0] == year)
            print(f"\nSe congeló {year}: {number(total)} apariciones, el {format_moment(at, 'es')}, por {by.strip()}. "
                  f"Esta cifra ya no cambiará.\n")
        if as_frozen:
            return _as_frozen(con, year, lang, out)
        is_frozen = any(y[0] == year for y in frozen_years(con))
        use_frozen = is_frozen and not live
        table = count(con, year, frozen=use_frozen)
        label = f" ({FROZEN_LABEL[lang]})" if use_frozen else (f" ({LIVE_LABEL[lang]})" if is_frozen else "")
        print(format_table(table, year, lang).replace(f", {year}", f", {year}{label}", 1))
        paragraphs = {l: year_paragraph(table, year, l) for l in langs}
        if paragraph:
            print("\n" + "\n\n".join(paragraphs.values()))
        if compare:
            if not is_frozen:
                print(f"\n{year} no está congelado: no hay con qué comparar.")
            else:
                diffs = compare_frozen(con, year)
                print("\nCifra en vivo frente a la congelada: "
                      + ("igual en todas las celdas." if not diffs else f"difieren {len(diffs)} celdas."))
                for theme, reach, was, now in diffs:
                    print(f"  {theme} / {reach}: congelada {was}, en vivo {now}")
        if out:
            files = write_outputs(table, year, out, "-frozen" if use_frozen else "", langs=langs,
                                  paragraphs=paragraphs)
            print("\nArchivos escritos: " + ", ".join(str(f) for f in files))
    finally:
        con.close()
    return 0


CHECKLIST_SHOWN = 10   # rows shown per point of the checklist; the rest are counted


def checklist_text(check, total: int) -> str:
    """What `tally --freeze` shows before anything is frozen, in Spanish: each point with how
    many, the first rows, and where to resolve them."""
    from flows.report import format_date

    def rows(items, line) -> list[str]:
        out = [f"     {line(i)}" for i in items[:CHECKLIST_SHOWN]]
        if len(items) > CHECKLIST_SHOWN:
            out.append(f"     … y {len(items) - CHECKLIST_SHOWN} más")
        return out

    def article(i) -> str:
        return f"{format_date(i['published_date'], 'es')}  {i['outlet']}: {i['title'] or i['url']}"

    def mark(items) -> str:
        return "[ ]" if items else "[x]"

    unrev, outlets, strong = check.unreviewed, check.unclassified_outlets, check.strong_rejections
    lines = [f"Antes de congelar {check.year} ({total} {'aparición' if total == 1 else 'apariciones'} en vivo), revise:",
             f"  {mark(unrev)} 1. Apariciones que cuentan sin que ninguna persona las haya revisado: {len(unrev)}",
             *rows(unrev, article),
             f"  {mark(outlets)} 2. Medios sin clasificar con apariciones en {check.year}: {len(outlets)}",
             "         (cuentan como «Sin clasificar», una columna que el informe anual no tiene)",
             *rows(outlets, lambda o: f"{o['outlet']} ({o['appearances']} "
                                      f"{'aparición' if o['appearances'] == 1 else 'apariciones'})"),
             f"  {mark(strong)} 3. Candidatos rechazados con evidencia fuerte, sin decisión de una persona: "
             f"{len(strong)}",
             "         (el caso se nombra en el titular y faltó contexto, o las reglas lo contaban",
             "         y solo el modelo dijo que no)",
             *rows(strong, lambda i: f"{article(i)}  [{i['matched']}]")]
    lines.append("Todo está revisado." if check.clear else
                 "Se resuelven en la mesa de revisión (prodesc-monitor review): confirmar o rechazar,\n"
                 "y clasificar los medios.")
    return "\n".join(lines)


def _as_frozen(con, year: int, lang: str, out) -> int:
    """`tally --as-frozen`: the frozen year counted again from its snapshot, compared cell by cell."""
    from warehouse.tally import NotFrozen, SnapshotGone, format_table, recount_frozen, write_outputs

    try:
        result = recount_frozen(con, year)
    except (NotFrozen, SnapshotGone) as exc:
        fail(str(exc))
    if result.snapshot is None:
        print(format_table(result.frozen, year, lang).replace(f", {year}", f", {year} ({FROZEN_LABEL[lang]})", 1))
        print(f"\n{year} se congeló antes de que el almacén guardara sus versiones (viene de la versión anterior del "
              f"monitor): su cifra congelada se conserva tal cual, pero no se puede volver a contar desde el "
              f"almacén. No hay nada que comparar.")
        return 0
    print(format_table(result.recounted, year, lang).replace(
        f", {year}", f", {year} (contado de nuevo en la versión {result.snapshot} del almacén)", 1))
    if not result.differences:
        print(f"\nIdéntica a la tabla congelada de {year} en todas las celdas: la cifra publicada se reproduce "
              f"exactamente desde la versión {result.snapshot} del almacén.")
    else:
        print(f"\n¡No coincide con la tabla congelada de {year}! Difieren {len(result.differences)} celdas:")
        for theme, reach, was, now in result.differences:
            print(f"  {theme} / {reach}: congelada {was}, contada de nuevo {now}")
    if out:
        files = write_outputs(result.recounted, year, out, "-as-frozen",
                              langs=("es", "en") if lang == "both" else (lang,))
        print("\nArchivos escritos: " + ", ".join(str(f) for f in files))
    return 1 if result.differences else 0


@command("add", "agrega apariciones en prensa impresa, radio o TV desde un archivo CSV",
         "Agrega apariciones que la recolección automática no puede ver, desde una hoja de cálculo guardada "
         "como CSV (plantilla: docs/plantilla-apariciones.csv; guía: docs/apariciones-manuales.md). Columnas "
         "obligatorias: fecha (dd/mm/aaaa), medio, tema (tierra y territorio, laboral, personas defensoras o "
         "institucional) y título; opcionales: tipo (impreso, radio, televisión, en línea u otro), alcance "
         "(local, nacional o internacional; solo para un medio que no está en sources.yaml), enlace, proceso, "
         "nota y agregado_por. También acepta los nombres en inglés (date, outlet, theme, title...). Las filas "
         "con errores se rechazan, cada una con su número de línea, y las demás se agregan (termina con código "
         "1 si rechazó alguna). Agregar dos veces el mismo archivo no cuenta nada dos veces.")
@option("--csv", "csv_file", type=PATH, required=True, metavar="ARCHIVO", help="el archivo CSV")
@db_option()
@lang_option()
def add(csv_file, db, lang) -> int:
    import sys

    from flows.commands.language import Words
    from warehouse.db import connect
    from warehouse.manual import add_manual, read_manual_csv

    words = Words(lang)
    if not csv_file.is_file():
        fail(words("add_no_file", file=csv_file))
    found = read_manual_csv(csv_file, case_names())
    problems = describe_problems(found.problems, csv_file, words)
    if not found.read:   # no usable header, or nothing below it
        fail(problems[0] if problems else words("add_empty", file=csv_file))
    con = connect(db)
    try:
        new = add_manual(con, found.rows)
    finally:
        con.close()
    print(words("add_done", file=csv_file, read=words.n("rows_read", found.read), new=words.n("added", new),
                updated=words.n("updated", len(found.rows) - new)))
    if problems:
        print(words.n("add_rejected", len(problems)), file=sys.stderr)
        for problem in problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    return 0


@cache
def case_names() -> dict[str, str]:
    """Every way the team may write a case in the `proceso` column, folded, to its id: the id,
    the Spanish and English names and the knowledge base's own names and acronyms."""
    from nlp.kb import load_kb
    from warehouse.manual import fold

    names: dict[str, str] = {}
    for e in load_kb().entities:
        if e.kind != "process":
            continue
        for text in (e.id, e.name, e.name_en, *(a.text for a in e.aliases)):
            names.setdefault(fold(text), e.id)
    return names


def describe_problems(problems, csv_file, words) -> list[str]:
    """One line per rejected row (warehouse.manual.Problem), everything wrong with it named:
    «línea 4: la fecha «31/02/2024» no existe; escríbala como dd/mm/aaaa»."""
    by_line: dict = {}
    for problem in problems:
        by_line.setdefault(problem.line, []).append(_problem_words(problem, csv_file, words))
    text = words["csv"]
    return ["; ".join(said) if line is None else text["line"].format(line=line, problem="; ".join(said))
            for line, said in by_line.items()]


def _problem_words(problem, csv_file, words) -> str:
    from pipelines.vocabulary import CLASSIFIED_REACHES, REACH_NAMES, THEME_NAMES, THEMES

    text, lang = words["csv"], words.lang
    values = dict(problem.values, file=csv_file)
    if problem.key == "unreadable":
        values["detail"] = words["unreadable_kinds"].get(values["detail"], values["detail"])
    elif problem.key == "missing":
        values["column"] = words["columns_csv"][values["column"]]
    elif problem.key == "missing_columns":
        values["columns"] = ", ".join(words["header_names"][c] for c in values["columns"])
    allowed = {"bad_theme": lambda: [THEME_NAMES[t][lang].lower() for t in THEMES],
               "bad_reach": lambda: [REACH_NAMES[r][lang].lower() for r in CLASSIFIED_REACHES],
               "bad_medium": lambda: list(words["medium_names"].values()),
               "bad_process": lambda: sorted(set(case_names().values()))}
    if problem.key in allowed:   # only the list this problem names (the cases come from the knowledge base)
        values["allowed"] = ", ".join(allowed[problem.key]())
    return text[problem.key].format(**values)


@command("export", "escribe las tablas y vistas del almacén como archivos Parquet y CSV, con su descripción",
         "Escribe cada tabla y vista del contrato de datos (apariciones, conteos, artículos sin su texto, "
         "menciones, medios y su historia de alcance, entidades, revisiones, apariciones manuales, años "
         "congelados, grupos de sindicación) como un archivo Parquet y uno CSV con su nombre, más README.md "
         "(qué es cada archivo y cómo abrirlo) y datapackage.json (cada columna con su tipo y descripción, "
         "norma Frictionless Data Package). Las horas van en UTC en los dos formatos (en CSV, ISO 8601 con Z); "
         "las fechas de publicación son días de la Ciudad de México; las listas, arreglos JSON en CSV.",
         context_settings={"allow_extra_args": True})
@out_option(Path("export"), "carpeta donde escribir (por omisión: export)")
@option("--format", "formats", type=OneOf(FORMATS), multiple=True, default=FORMATS, metavar="FORMATO",
        help="parquet, csv o ambos: --format csv, --format parquet csv (por omisión: ambos)")
@db_option()
@click.pass_context
def export(ctx, out, formats, db) -> int:
    from warehouse.db import connect
    from warehouse.export import export as write_exports

    if ctx.args:   # `--format parquet csv`: the values after the first arrive as extra arguments
        if ctx.get_parameter_source("formats") is not ParameterSource.COMMANDLINE or set(ctx.args) - set(FORMATS):
            raise click.UsageError(f"Sobran argumentos: {' '.join(ctx.args)}", ctx)
        formats = (*formats, *ctx.args)
    require_db(db)
    con = connect(db, read_only=True)
    try:
        files = write_exports(con, out, tuple(dict.fromkeys(formats)))
    finally:
        con.close()
    print("Archivos escritos:\n" + "\n".join(f"  {f}" for f in files)
          + f"\nQué es cada archivo y cómo abrirlo: {out / 'README.md'}")
    return 0


SEARCH_FORMATS = ("table", "csv")
SEARCH_CSV_HEAD = ("puntaje", "fecha", "medio", "título", "enlace", "aparición", "idioma", "fragmento")


@command("search", "busca artículos por palabras de su texto (búsqueda de texto completo)",
         "Busca artículos que tengan todas las PALABRAS en su título o su texto, sin importar acentos ni "
         "mayúsculas, cada una en su idioma (tierras encuentra tierra; en un artículo en inglés, unions "
         "encuentra union). Entre comillas, una frase exacta: prodesc-monitor search '\"union hidalgo\"' "
         "solo da los artículos donde esas palabras van juntas. Muestra primero los que mejor coinciden, cada "
         "uno con su puntaje, fecha, medio, título, enlace y un fragmento del texto con las palabras encontradas "
         "entre **. P. ej.: prodesc-monitor search parque eólico --year 2023 --appearances")
@click.argument("words", nargs=-1, metavar="PALABRAS...")
@option("--appearances", is_flag=True, help="solo los artículos que cuentan como apariciones")
@option("--year", type=YEAR, default=None, metavar="AÑO", help="solo los publicados ese año")
@option("--outlet", metavar="MEDIO", help="solo los de medios cuyo nombre contiene este texto, p. ej. --outlet jornada")
@option("--case", "case", metavar="PROCESO",
        help="solo los artículos sobre este proceso acompañado: su identificador o su nombre, p. ej. "
             "--case \"Unión Hidalgo\"")
@option("--limit", type=INT, default=20, metavar="N", help="cuántos artículos mostrar como máximo (por omisión: 20)")
@option("--format", "fmt", type=OneOf(SEARCH_FORMATS), default="table", metavar="FORMATO",
        help="table (para leer en la terminal, por omisión) o csv (para una hoja de cálculo: "
             "... --format csv > resultados.csv)")
@option("--extension-path", is_flag=True,
        help="solo escribe la ruta del archivo de la extensión fts de DuckDB, para cargarla sin internet en su "
             "propio DuckDB (LOAD 'ruta'; vea docs/warehouse.md) y termina")
@db_option()
def search(words, appearances, year, outlet, case, limit, fmt, extension_path, db) -> int:
    import sys

    from warehouse.db import connect
    from warehouse.lake import extension_path as path_of
    from warehouse.search import OutdatedIndex
    from warehouse.search import search as find

    if extension_path:
        print(path_of("fts"))
        return 0
    if not " ".join(words).strip():
        raise click.UsageError("Falta qué buscar: escriba las PALABRAS, p. ej. prodesc-monitor search parque eólico")
    process = None
    if case:
        from warehouse.manual import fold
        process = case_names().get(fold(case))
        if process is None:
            fail(f"No hay ningún proceso acompañado llamado «{case}». Use uno de: "
                 f"{', '.join(sorted(set(case_names().values())))}.")
    require_db(db)
    con = connect(db, read_only=True)
    try:
        hits = find(con, " ".join(words), limit, appearances=appearances, year=year, outlet=outlet, case=process)
    except OutdatedIndex as exc:
        fail(str(exc))
    finally:
        con.close()
    if fmt == "csv":
        from warehouse.spreadsheet import write_csv_rows
        sys.stdout.write("\ufeff")     # the byte-order mark of every CSV of the project: Excel reads the accents
        write_csv_rows(sys.stdout, SEARCH_CSV_HEAD,
                       ((h.score, h.published_date, h.outlet, h.title, h.url, "sí" if h.is_appearance else "no",
                         h.language or "", h.snippet) for h in hits))
        return 0
    print(search_text(hits, " ".join(words), limit))
    return 0


def search_text(hits, text: str, limit: int) -> str:
    """The hits as people read them in a terminal, in Spanish: rank, score, date, outlet, title,
    link and the snippet (matches between **)."""
    if not hits:
        return f"Ningún artículo tiene todas las palabras de «{text}»."
    shown = f"los {limit} que mejor coinciden" if len(hits) == limit else None
    lines = [f"{len(hits)} {'artículo' if len(hits) == 1 else 'artículos'} con «{text}»"
             + (f" ({shown}; --limit para ver más)" if shown else "") + ":"]
    for n, h in enumerate(hits, 1):
        day = h.published_date.strftime("%d/%m/%Y") if h.published_date else "sin fecha"
        lines += ["",
                  f"{n:>2}. [{h.score:.2f}] {day}  {h.outlet}" + ("" if h.is_appearance else "  (no es una aparición)"),
                  f"    {h.title or '(sin título)'}",
                  f"    {h.url}",
                  f"    {h.snippet}"]
    return "\n".join(lines)
