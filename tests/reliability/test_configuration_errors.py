"""Issue 17: configuration and input mistakes stop a command with ONE line, in Spanish, naming the
file and the line, exit code 2 (1 when the run itself failed), and never a traceback, unless
PRODESC_MONITOR_DEBUG=1 asks for one. Every case runs the real command line in its own process.

Read-only folders and the full disk need a filesystem of their own: as root a tmpfs is mounted
(read-only, or 6 MB); a user who is not root gets a folder without write permission, and the
full-disk test is skipped, saying why.
"""
from __future__ import annotations

import contextlib
import os
import random
import shutil
import string
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent.parent
KB = REPO / "nlp" / "knowledge_base.yaml"

GOOD_OUTLET = """\
  - name: Diario Uno
    domains: [diariouno.example]
    reach: local
    feeds: [http://diariouno.example/feed/]
"""


def run(*args: str, cwd: Path, env: dict | None = None, pythonpath: Path = REPO,
        timeout: float = 300) -> subprocess.CompletedProcess:
    """`prodesc-monitor ARGS` in a new process, on this tree's code."""
    environ = {k: v for k, v in os.environ.items() if k != "PRODESC_MONITOR_DEBUG"}
    environ.update({"PYTHONPATH": str(pythonpath), **(env or {})})
    return subprocess.run([sys.executable, "-m", "flows.cli", *args], cwd=cwd, env=environ, capture_output=True,
                          text=True, timeout=timeout)


def one_line_stop(proc: subprocess.CompletedProcess, code: int = 2) -> str:
    """The stop's only line: checked to be the whole of stderr, with the exit code, and no traceback."""
    assert "Traceback" not in proc.stderr + proc.stdout, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert proc.returncode == code, proc.stderr
    return lines[0]


# ------------------------------------------------------------------ sources.yaml

SOURCES_MISTAKES = {
    # id: (file text, line the message must name, words it must contain)
    "outlet_twice": ("outlets:\n" + GOOD_OUTLET + "  - name: Diario Uno\n    domains: [otro.example]\n"
                     "    reach: national\n    feeds: [http://otro.example/rss]\n",
                     6, "el medio 'Diario Uno' aparece dos veces (también en la línea 2)"),
    "key_twice": ("outlets:\n" + GOOD_OUTLET + "    reach: national\n", 6, "la clave 'reach' aparece dos veces"),
    "domain_of_two_outlets": ("outlets:\n" + GOOD_OUTLET + "  - name: Otro\n    domains: [otro.example, diariouno.example]\n"
                              "    reach: national\n", 7, "el dominio diariouno.example ya lo usa el medio 'Diario Uno' (línea 3)"),
    "unknown_reach": ("outlets:\n" + GOOD_OUTLET.replace("reach: local", "reach: regional"), 4,
                      "medio 'Diario Uno': el alcance (reach) es 'regional'"),
    "mistyped_key": ("outlets:\n" + GOOD_OUTLET.replace("domains:", "domain:"), 3,
                     "medio 'Diario Uno': la clave 'domain' no existe (¿quiso decir 'domains'?)"),
    "missing_key": ("outlets:\n" + GOOD_OUTLET.replace("    reach: local\n", ""), 2,
                    "medio 'Diario Uno': falta la clave 'reach'"),
    "missing_name": ("outlets:\n" + GOOD_OUTLET + "  - domains: [otro.example]\n    reach: local\n", 6,
                     "el medio n.º 2 necesita un 'name'"),
    "yaml_syntax": ("outlets:\n" + GOOD_OUTLET + "   reach: local\n", 6, "no es YAML válido"),
    "not_utf8": (("outlets:\n" + GOOD_OUTLET.replace("Diario Uno", "Diario Año")).encode("cp1252"), 2,
                 "debe guardarse con la codificación UTF-8"),
    "empty_file": ("", 1, "el archivo de medios está vacío"),
    "only_comments": ("# la lista de medios\n# (todavía ninguno)\n", 1, "el archivo de medios está vacío"),
    "feed_not_a_url": ("outlets:\n" + GOOD_OUTLET.replace("[http://diariouno.example/feed/]",
                                                          "[http://diariouno.example/feed/, diariouno.example/rss]"),
                       5, "'diariouno.example/rss' en 'feeds' no es una dirección web"),
    "domain_with_scheme": ("outlets:\n" + GOOD_OUTLET.replace("[diariouno.example]", "[https://diariouno.example/]"),
                           3, "debe ser solo el dominio, sin http://"),
    "discovery_not_a_url": ("outlets:\n" + GOOD_OUTLET + "discovery:\n  - name: Búsqueda\n    url: ProDESC\n", 8,
                            "canal de búsqueda 'Búsqueda': 'ProDESC' no es una dirección web"),
    "nothing_to_read": ("outlets:\n" + GOOD_OUTLET.replace("[http://diariouno.example/feed/]", "[]"), 2,
                        "ningún medio tiene feeds ni hay canales de búsqueda (discovery), así que no hay nada que "
                        "leer (medios sin feeds: 'Diario Uno' (línea 2))"),
    "no_outlets": ("outlets: []\ndiscovery: []\n", 1, "no hay ningún medio (outlets) ni canal de búsqueda"),
}


@pytest.mark.parametrize("case", SOURCES_MISTAKES, ids=list(SOURCES_MISTAKES))
def test_sources_mistake_is_one_line_with_file_and_line(tmp_path, case):
    text, line, words = SOURCES_MISTAKES[case]
    path = tmp_path / "sources.yaml"
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    proc = run("crawl", "--sources", "sources.yaml", "--db", "monitor.ducklake", cwd=tmp_path)
    message = one_line_stop(proc)
    assert message.startswith(f"sources.yaml:{line}: "), message
    assert words in message
    assert not (tmp_path / "monitor.ducklake").exists() and not (tmp_path / "staging").exists()   # stopped first


def test_a_backfill_reads_sitemaps_so_an_outlet_without_feeds_is_enough(tmp_path):
    """`--since` reads every outlet's sitemaps (robots.txt): no feeds is no mistake then. The
    check passes and the run goes on, to fail for the reason it really has (nothing answers)."""
    from pipelines.registry import load_registry, nothing_to_read

    path = tmp_path / "sources.yaml"
    path.write_text("outlets:\n" + GOOD_OUTLET.replace("[http://diariouno.example/feed/]", "[]"), encoding="utf-8")
    registry = load_registry(path)
    assert nothing_to_read(registry, path, backfill=True) is None
    assert nothing_to_read(registry, path, backfill=False).startswith(f"{path}:2: ")


def test_a_scheduled_crawl_with_nothing_to_read_stops_before_fetching(tmp_path):
    """`serve`'s daily run calls the same step as the command, without the command's early check."""
    from flows.steps import crawl
    from pipelines.registry import RegistryError

    path = tmp_path / "sources.yaml"
    path.write_text("outlets:\n" + GOOD_OUTLET.replace("[http://diariouno.example/feed/]", "[]"), encoding="utf-8")
    with pytest.raises(RegistryError, match=r"sources.yaml:2: ningún medio tiene feeds"):
        crawl(path, tmp_path / "monitor.ducklake", fetcher=lambda *args: pytest.fail("it fetched"))
    assert not (tmp_path / "monitor.ducklake").exists()


def test_the_real_sources_files_are_still_read():
    from pipelines.registry import load_registry

    for path in (REPO / "sources.yaml", REPO / "flows" / "demo" / "sample_web" / "sources.yaml"):
        assert load_registry(path).outlets


# ------------------------------------------------------------------ the knowledge base

def _entity_block(kb: str) -> str:
    start = kb.index("entities:\n") + len("entities:\n")
    return kb[start:kb.index("  - id:", start + 5)]


KB_MISTAKES = {
    # id: (how the packaged file is changed, the words of the message)
    "duplicate_id": (lambda kb: kb.replace(_entity_block(kb), _entity_block(kb) * 2, 1),
                     "el id de entidad 'prodesc' se usa dos veces (la primera vez en la línea"),
    "empty_alias": (lambda kb: kb.replace("      - ProDESC ", "      - '' ", 1), "un elemento de names: el valor está vacío"),
    "one_letter_alias": (lambda kb: kb.replace("      - ProDESC ", "      - P ", 1),
                         "el nombre 'P' en names tiene una sola letra"),
    "unknown_theme": (lambda kb: kb.replace("    theme: institutional\n", "    theme: institucional\n", 1),
                      "el tema (theme) 'institucional' no es uno de"),
}


@pytest.fixture(scope="module")
def tree(tmp_path_factory) -> Path:
    """A copy of the code whose nlp/knowledge_base.yaml a test may break: the command reads the
    file beside its code, as the team's edits do."""
    root = tmp_path_factory.mktemp("tree")
    for package in ("pipelines", "nlp", "flows", "spiders", "warehouse"):
        shutil.copytree(REPO / package, root / package, ignore=shutil.ignore_patterns("__pycache__"))
    return root


@pytest.mark.parametrize("case", KB_MISTAKES, ids=list(KB_MISTAKES))
def test_knowledge_base_mistake_is_one_line_with_file_and_line(tree, tmp_path, case):
    change, words = KB_MISTAKES[case]
    text = KB.read_text(encoding="utf-8")
    broken = change(text)
    assert broken != text
    (tree / "nlp" / "knowledge_base.yaml").write_text(broken, encoding="utf-8")
    shutil.copy(REPO / "docs" / "plantilla-apariciones.csv", tmp_path / "radio.csv")
    try:
        proc = run("add", "--csv", "radio.csv", "--db", "monitor.ducklake", cwd=tmp_path, pythonpath=tree)
    finally:
        (tree / "nlp" / "knowledge_base.yaml").write_text(text, encoding="utf-8")
    message = one_line_stop(proc)
    path, line, rest = message.split(":", 2)
    assert path == str(tree / "nlp" / "knowledge_base.yaml") and int(line) > 1, message
    assert words in rest
    assert broken.splitlines()[int(line) - 1].strip(), "the line named is the entry's, not a blank one"


# ------------------------------------------------------------------ command-line values

@pytest.mark.parametrize("args, words", [
    (["crawl", "--since", "1900-01-01"], "Valor no válido para '--since': '1900-01-01' está fuera de lo que el "
                                         "monitor puede leer"),
    (["crawl", "--since", "2023-02-01", "--until", "2023-01-01"], "--until 2023-01-01 es anterior a --since 2023-02-01"),
    (["report", "weekly", "--week", "2026-W60"], "'2026-W60' no es una semana como 2026-W47"),
    (["tally", "--year", "0"], "Valor no válido para '--year': '0' no es un año que el monitor pueda contar"),
    (["report", "year", "--year", "0"], "'0' no es un año que el monitor pueda contar"),
    (["search", "agua", "--year", "99999"], "'99999' no es un año que el monitor pueda contar"),
    (["crawl", "--sources", "no-existe.yaml"], "No existe el archivo de fuentes no-existe.yaml"),
    (["tally", "--year", "2023", "--db", "no-existe.ducklake"], "No existe la base de datos no-existe.ducklake"),
    (["report", "weekly", "--db", "no-existe.ducklake"], "No existe la base de datos no-existe.ducklake"),
    (["add", "--csv", "no-existe.csv"], "No existe el archivo no-existe.csv"),
], ids=["since_1900", "until_before_since", "week_60", "tally_year_0", "report_year_0", "search_year_99999",
        "missing_sources", "tally_missing_db", "report_missing_db", "missing_csv"])
def test_absurd_command_line_values_are_one_spanish_line(tmp_path, args, words):
    (tmp_path / "sources.yaml").write_text("outlets:\n" + GOOD_OUTLET, encoding="utf-8")
    message = one_line_stop(run(*args, cwd=tmp_path))
    assert words in message
    assert not list(tmp_path.glob("*.ducklake")) and not (tmp_path / "data").exists()   # nothing created


# ------------------------------------------------------------------ where the database is

@contextlib.contextmanager
def read_only_folder(path: Path):
    """A folder nobody may write: a read-only tmpfs as root (root ignores permissions), else mode 555."""
    path.mkdir()
    if os.geteuid() != 0:
        path.chmod(0o555)
        try:
            yield path
        finally:
            path.chmod(0o755)
        return
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=1m", "tmpfs", str(path)],
                      capture_output=True).returncode != 0:
        pytest.skip("root here may not mount a read-only tmpfs, and permissions do not stop root")
    try:
        yield path
    finally:
        subprocess.run(["umount", str(path)], check=True)


@pytest.mark.parametrize("command", ["crawl", "add"])
def test_database_in_a_folder_that_does_not_exist(tmp_path, command):
    (tmp_path / "sources.yaml").write_text("outlets:\n" + GOOD_OUTLET, encoding="utf-8")
    shutil.copy(REPO / "docs" / "plantilla-apariciones.csv", tmp_path / "radio.csv")
    db = tmp_path / "typo" / "monitor.ducklake"
    args = ["crawl", "--sources", "sources.yaml"] if command == "crawl" else ["add", "--csv", "radio.csv"]
    message = one_line_stop(run(*args, "--db", str(db), cwd=tmp_path))
    assert message == (f"No existe la carpeta {db.parent} de la base de datos {db}: créela, o indique otra con "
                       f"--db ARCHIVO.")
    assert not db.parent.exists()     # before: the crawl made the folders and staged pages there


@pytest.mark.parametrize("command", ["crawl", "add"])
def test_database_in_a_read_only_folder(tmp_path, command):
    (tmp_path / "sources.yaml").write_text("outlets:\n" + GOOD_OUTLET, encoding="utf-8")
    shutil.copy(REPO / "docs" / "plantilla-apariciones.csv", tmp_path / "radio.csv")
    with read_only_folder(tmp_path / "ro") as folder:
        db = folder / "monitor.ducklake"
        args = ["crawl", "--sources", "sources.yaml"] if command == "crawl" else ["add", "--csv", "radio.csv"]
        message = one_line_stop(run(*args, "--db", str(db), cwd=tmp_path))
    assert message.startswith(f"No se puede escribir en {folder} (solo lectura)") and str(db) in message


# ------------------------------------------------------------------ a full disk

def _appearances_csv(path: Path, rows: int, month: int, words: int = 0) -> Path:
    """Manual appearances (radio) for `add --csv`; `words` of random filler (Parquet cannot
    compress it away) make each row larger."""
    draw = random.Random(month)
    lines = ["fecha,medio,tipo,tema,título,alcance,enlace,proceso,nota,agregado_por"]
    for i in range(1, rows + 1):
        title = f"Entrevista {i} sobre el parque eólico " + " ".join(
            "".join(draw.choices(string.ascii_lowercase, k=7)) for _ in range(words))
        lines.append(f"{i % 27 + 1:02d}/{month:02d}/2024,Radio {month}-{i},radio,tierra y territorio,{title},local,,"
                     f"unionhidalgo,,Ana")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _count(db: Path, cwd: Path) -> int:
    proc = run("sql", "--db", str(db), "--format", "csv", "-c", "SELECT count(*) AS n FROM appearances", cwd=cwd)
    assert proc.returncode == 0, proc.stderr
    return int(proc.stdout.strip().splitlines()[-1])


def test_a_full_disk_stops_the_run_in_one_line_and_keeps_what_was_committed(tmp_path):
    disk = tmp_path / "disk"
    disk.mkdir()
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=6m", "tmpfs", str(disk)],
                                           capture_output=True).returncode != 0:
        pytest.skip("a small disk of its own needs root and tmpfs (mount -t tmpfs)")
    try:
        db = disk / "monitor.ducklake"
        first = _appearances_csv(tmp_path / "first.csv", 3, month=3)
        second = _appearances_csv(tmp_path / "second.csv", 3000, month=5, words=60)
        assert run("add", "--csv", str(first), "--db", str(db), cwd=tmp_path).returncode == 0
        assert _count(db, tmp_path) == 3
        filler = disk / "filler"
        with open(filler, "wb") as f:            # leave 800 KB: the catalog opens, the Parquet file does not fit
            os.posix_fallocate(f.fileno(), 0, shutil.disk_usage(disk).free - 800 * 1024)
        message = one_line_stop(run("add", "--csv", str(second), "--db", str(db), cwd=tmp_path))
        assert message.startswith(f"El disco de {disk} está lleno y el cambio en {db} no se guardó; lo guardado "
                                  f"antes sigue intacto."), message
        filler.unlink()
        assert _count(db, tmp_path) == 3                      # committed before: intact, and nothing half-added
        proc = run("add", "--csv", str(second), "--db", str(db), cwd=tmp_path)   # space freed: run again
        assert proc.returncode == 0, proc.stderr
        assert _count(db, tmp_path) == 3 + 3000
    finally:
        subprocess.run(["umount", str(disk)], check=True)


# ------------------------------------------------------------------ a stop inside a Prefect run

def test_a_stop_inside_the_crawl_flow_is_one_line(tmp_path):
    """Raised inside Prefect's run (no feed answers: FetchFailed, exit 1): Prefect's own
    "Finished in state Failed(...)" line used to repeat it."""
    (tmp_path / "sources.yaml").write_text(
        "outlets:\n  - name: Nadie\n    domains: [127.0.0.1]\n    reach: local\n    feeds: [http://127.0.0.1:9/feed]\n",
        encoding="utf-8")
    proc = run("crawl", "--sources", "sources.yaml", "--db", "monitor.ducklake", cwd=tmp_path,
               env={"PRODESC_MONITOR_ALLOW": "127.0.0.1"})
    assert one_line_stop(proc, code=1).startswith("No se pudo leer ningún feed ni sitemap (1 fallaron)")


# ------------------------------------------------------------------ debugging

def test_with_debug_the_stop_comes_with_its_traceback(tmp_path):
    text, line, words = SOURCES_MISTAKES["outlet_twice"]
    (tmp_path / "sources.yaml").write_text(text, encoding="utf-8")
    proc = run("crawl", "--sources", "sources.yaml", cwd=tmp_path, env={"PRODESC_MONITOR_DEBUG": "1"})
    assert proc.returncode == 2
    assert proc.stderr.startswith(f"sources.yaml:{line}: {words}\n")
    assert "Traceback (most recent call last)" in proc.stderr and "RegistryError" in proc.stderr
