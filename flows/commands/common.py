"""What every command shares: Spanish help, the value types, and each option defined once.

Click's own words (Usage, Options, "Show this message and exit") are replaced here, so
`--help` reads in Spanish from top to bottom. An option used by more than one command
(`--db`, `--sources`, `--lang`, `--year`...) is a function below: its name, type and
default live in one place; a command may only pass its own help sentence.
"""
from __future__ import annotations

import functools
import os
from datetime import date
from pathlib import Path
from typing import NoReturn

import click

from pipelines.errors import UserError
from pipelines.vocabulary import last_year

DEBUG_VARIABLE = "PRODESC_MONITOR_DEBUG"
DEFAULT_SOURCES = Path("sources.yaml")
DEFAULT_DB = Path("data/monitor.ducklake")
HELP_OPTION_NAMES = ["-h", "--help"]
SECTIONS = {"Options": "Opciones", "Commands": "Comandos", "Positional arguments": "Argumentos"}


# ------------------------------------------------------------------ click, in Spanish

class _Formatter(click.HelpFormatter):
    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, "Uso: " if prefix is None else prefix)

    def section(self, name: str):
        return super().section(SECTIONS.get(name, name))


class _Context(click.Context):
    formatter_class = _Formatter


class _Spanish:
    context_class = _Context

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("options_metavar", "[OPCIONES]")
        kwargs["context_settings"] = {"help_option_names": HELP_OPTION_NAMES, **kwargs.get("context_settings", {})}
        super().__init__(*args, **kwargs)

    def get_help_option(self, ctx):
        opt = super().get_help_option(ctx)
        if opt is not None:
            opt.help = "muestra esta ayuda y termina"
        return opt


class Command(_Spanish, click.Command):
    """A command whose help is in Spanish."""


class Group(_Spanish, click.Group):
    """A group whose help is in Spanish; it lists its commands in the order they were added."""

    command_class = Command
    group_class = type   # subgroups are Groups too

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("subcommand_metavar", "COMANDO [ARGS]...")
        super().__init__(*args, **kwargs)

    def list_commands(self, ctx) -> list[str]:
        return list(self.commands)


class Option(click.Option):
    def get_help_record(self, ctx):
        record = super().get_help_record(ctx)
        return record and (record[0], record[1].replace("[required]", "[obligatoria]"))


option = functools.partial(click.option, cls=Option)


def command(name: str, short: str, description: str | None = None, **kwargs):
    """A command with its one-line summary (the list in `prodesc-monitor --help`) and its description."""
    return click.command(name, cls=Command, short_help=short,
                         help=description or short[0].upper() + short[1:] + ".", **kwargs)


# ------------------------------------------------------------------ value types, with Spanish messages

# Dates and years the monitor can mean: the online press began in the 1990s, and a year past the next
# is a typing mistake (`--since 1900-01-01` crawled every sitemap back to 1900; `--year 0` wrote an
# empty report for the year 0: issue 17).
FIRST_YEAR = 1990


def last_sensible_year() -> int:
    return date.today().year + 1


class _Day(click.ParamType):
    name = "fecha"

    def convert(self, value, param, ctx) -> str:
        try:
            day = date.fromisoformat(str(value))
        except ValueError:
            self.fail(f"'{value}' no es una fecha como 2023-01-31.", param, ctx)
        if not FIRST_YEAR <= day.year <= last_sensible_year():
            self.fail(f"'{value}' está fuera de lo que el monitor puede leer: use una fecha entre {FIRST_YEAR} y "
                      f"{last_sensible_year()}.", param, ctx)
        return day.isoformat()


class _Year(click.ParamType):
    name = "año"

    def convert(self, value, param, ctx) -> int:
        try:
            year = int(value)
        except (TypeError, ValueError):
            self.fail(f"'{value}' no es un año como 2023.", param, ctx)
        if not FIRST_YEAR <= year <= last_sensible_year():
            self.fail(f"'{value}' no es un año que el monitor pueda contar: use uno entre {FIRST_YEAR} y "
                      f"{last_sensible_year()}.", param, ctx)
        return year


class _Week(click.ParamType):
    name = "semana"

    def convert(self, value, param, ctx) -> str:
        from flows.report import ReportError, parse_week
        try:
            parse_week(str(value))
        except ReportError:
            self.fail(f"'{value}' no es una semana como 2026-W47 (año, W y número de semana).", param, ctx)
        return str(value).strip()


class _Number(click.ParamType):
    def __init__(self, kind: type, name: str, what: str) -> None:
        self.kind, self.name, self.what = kind, name, what

    def convert(self, value, param, ctx):
        try:
            return self.kind(value)
        except (TypeError, ValueError):
            self.fail(f"'{value}' no es {self.what}.", param, ctx)


class OneOf(click.Choice):
    def convert(self, value, param, ctx):
        if value in self.choices:
            return value
        self.fail(f"'{value}' no es válido; use uno de: {', '.join(self.choices)}.", param, ctx)


DAY, WEEK, YEAR = _Day(), _Week(), _Year()
INT = _Number(int, "n", "un número entero")
DECIMAL = _Number(float, "x", "un número como 0.95")
PATH = click.Path(path_type=Path)


# ------------------------------------------------------------------ options shared by several commands

def db_option(default: Path | None = DEFAULT_DB,
              help: str = "el almacén: su catálogo (por omisión: data/monitor.ducklake) o postgres:<conexión>"):
    return option("--db", type=PATH, default=default, metavar="ARCHIVO", help=help)


def sources_option(help: str = "los medios a seguir (por omisión: sources.yaml)"):
    return option("--sources", type=PATH, default=DEFAULT_SOURCES, metavar="ARCHIVO", help=help)


def lang_option(choices: tuple[str, ...] = ("es", "en"), default: str = "es",
                help: str = "idioma de los mensajes: es (español) o en (inglés); por omisión, el de la variable "
                            "PRODESC_MONITOR_LANG, o es"):
    """--lang; its default is PRODESC_MONITOR_LANG when set (flows/commands/language.py), else `default`."""
    from flows.commands.language import default_lang

    return option("--lang", type=OneOf(choices), default=lambda: default_lang(choices, default), help=help)


def year_option(help: str = "el año (por omisión: el año pasado)"):
    return option("--year", type=YEAR, default=last_year, metavar="AÑO", help=help)


def week_option(help: str = "la semana ISO, p. ej. 2026-W47 (por omisión: la última semana completa)"):
    return option("--week", type=WEEK, default=None, metavar="SEMANA", help=help)


def since_option(default: str | None = None,
                 help: str = "también recorre los sitemaps hacia atrás hasta esta fecha, p. ej. 2023-01-01"):
    return option("--since", type=DAY, default=default, metavar="FECHA", help=help)


def out_option(default: Path | None, help: str, metavar: str = "CARPETA"):
    return option("--out", type=PATH, default=default, metavar=metavar, help=help)


def json_option(help: str):
    return option("--json", "json_out", type=PATH, default=None, metavar="ARCHIVO", help=help)


def workers_option(help: str = "lee y etiqueta en este número de procesos a la vez"):
    return option("--workers", type=INT, default=None, metavar="N", help=help)


def port_option(default: int = 4200, help: str = "puerto del servidor local de Prefect (por omisión: 4200)"):
    return option("--port", type=INT, default=default, metavar="PUERTO", help=help)


def live_option(help: str = "para un año congelado, muestra la cifra en vivo en lugar de la congelada"):
    return option("--live", is_flag=True, help=help)


def reviews_option(help: str):
    return option("--reviews", is_flag=True, help=help)


def corpus_option(help: str, multiple: bool = False):
    return option("--corpus", type=PATH, multiple=multiple, metavar="CARPETA", help=help)


# ------------------------------------------------------------------ helpers for the command bodies

def fail(message: str, code: int = 2) -> NoReturn:
    """Stop the command with a one-line message for the person who ran it."""
    error = UserError(message)
    error.exit_code = code
    raise error


def require_sources(path: Path) -> None:
    if not Path(path).exists():
        fail(f"No existe el archivo de fuentes {path}. Indique otro con --sources ARCHIVO.")


def require_crawlable(path: Path, db: Path, since: str | None) -> None:
    """Before a crawl starts Prefect and Scrapy (half a minute): the sources file readable and with
    something to read, the database's folder there and writable. Each mistake is one line naming
    the file (and the line)."""
    from pipelines.registry import RegistryError, load_registry, nothing_to_read
    from warehouse.lake import check_folder

    check_folder(db)
    require_sources(path)
    problem = nothing_to_read(load_registry(path), path, backfill=bool(since))
    if problem:
        raise RegistryError(problem)


def require_db(path: Path) -> None:
    # Not `Path(path).exists()`: a PostgreSQL catalog (`--db postgres:host=...`) is no file, and
    # every reading command refused it (fixed with issue 14's tests). A database that exists but
    # has no lake yet is told by connect() (WarehouseMissing).
    from warehouse.lake import locate

    if not locate(path).exists():
        fail(f"No existe la base de datos {path}. Indique otra con --db ARCHIVO.")


def debugging() -> bool:
    """PRODESC_MONITOR_DEBUG=1: user-facing stops come with their traceback too."""
    return bool(os.environ.get(DEBUG_VARIABLE))


def user_stop(exc: BaseException) -> bool:
    """A stop the person can act on (a `UserError`, or a mistake in a file the team edits:
    sources.yaml, the knowledge base, the model, raised by modules that do not derive them from
    UserError yet): shown as its one line, not as a bug with a traceback."""
    if isinstance(exc, UserError):
        return True
    try:
        from nlp.kb import KnowledgeBaseError
        from nlp.model import ModelError
        from pipelines.registry import RegistryError
    except ImportError:
        return False
    return isinstance(exc, (RegistryError, KnowledgeBaseError, ModelError))


def quiet_prefect(terminal: bool = True) -> None:
    """Prefect runs offline on its own temporary server: no telemetry, a patient start-up,
    and never through the crawl's HTTP proxy (the proxy is for the press, not for Prefect).

    The terminal shows Prefect's warnings and errors only (its console handler), but the run's
    log sent to the Prefect server keeps its INFO lines: `PREFECT_LOGGING_LEVEL=WARNING`, used
    before, dropped them at the loggers, and runs started by `serve` kept no log at all.
    `terminal`: a person runs the command and the CLI prints a user-facing stop itself, so
    Prefect's console leaves it out (`flows.tasks.leave_stops_to_the_command`)."""
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
    os.environ.setdefault("PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL", "WARNING")
    loopback = "127.0.0.1,localhost,::1"
    for key in ("NO_PROXY", "no_proxy"):
        current = os.environ.get(key, "")
        os.environ[key] = f"{current},{loopback}" if current else loopback
    if terminal:
        from flows.tasks import leave_stops_to_the_command
        leave_stops_to_the_command()


def print_summary(result, lang: str = "es") -> None:
    """The end-of-run summary for the terminal: plain sentences and an aligned table."""
    from flows.summary import summary_text
    print(summary_text(result, lang))
