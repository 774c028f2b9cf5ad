"""`prodesc-monitor`: the command line the communications team and analysts use.

The commands live in `flows/commands/`, each a thin layer over library functions, with
help in Spanish for a person who is not a programmer (what they print: Spanish by default,
English with `--lang en` or PRODESC_MONITOR_LANG=en; the words are in flows/commands/messages/);
this module puts them in one group and turns what happened into an exit code:

- 0: done; 1: the command ran and its result is a failure (a pinned floor not reached,
  nothing fetched, rows of `add --csv` rejected); 2: a usage mistake or a `UserError`
  (3: the database stayed locked); 130: stopped with Ctrl+C; 143: stopped with SIGTERM (`kill PID`,
  systemd), the same clean stop as Ctrl+C.
- Run as the program, a command that starts child processes (the crawl: Prefect's temporary
  server, Scrapy, the worker processes) runs under a watcher that ends them all when it ends, however it ends
  (flows/children.py).
- A `UserError` (pipelines/errors.py) is printed as one line, its message. Any other
  exception is a bug and is shown as one: a line saying so, then the traceback.
  PRODESC_MONITOR_DEBUG=1 adds the traceback to user errors too. The same holds for a stop
  raised inside a Prefect flow run (flows/tasks.py keeps Prefect from printing its traceback).
"""
from __future__ import annotations

import os
import re
import signal
import sys
import traceback

import click

from flows.commands import collect, quality, reports, scheduling, sql, storage, tables
from flows.commands.common import DEBUG_VARIABLE, Group, user_stop
from pipelines.errors import DiskFull, no_space_left

PROG = "prodesc-monitor"


@click.group(PROG, cls=Group,
             help="Encuentra dónde aparecen en la prensa ProDESC y las comunidades, colectivos y sindicatos que "
                  "acompaña, y cuenta esas apariciones por tema y alcance.")
def cli() -> None:
    pass


# In the order the team uses them (the README's table), not alphabetical.
for _command in (collect.crawl, reports.report, reports.review, tables.tally, tables.add, tables.search,
                 sql.sql, tables.export, collect.retag, quality.train, scheduling.serve, scheduling.alerts,
                 scheduling.deploy_partitions, collect.load, storage.backup, storage.migrate, quality.evaluate,
                 collect.demo):
    cli.add_command(_command)

# Click's own messages for usage mistakes, in Spanish (matched on its English text: click >= 8.1).
CLICK_WORDS = [
    (r"No such option:? '?([^' ]+?)'?(\.|$)", r"No existe la opción \1."),
    (r"Did you mean (.+?)\?", r"¿Quiso decir \1?"),
    (r"\(Possible options: (.+)\)", r"(opciones parecidas: \1)"),
    (r"No such command:? '?([^' ]+?)'?(\.|$)", r"No existe el comando \1."),
    (r"Missing option '([^']+)'\.", r"Falta la opción \1."),
    (r"Missing argument '([^']+)'\.", r"Falta el argumento: \1"),
    (r"Missing command\.", "Falta el comando."),
    (r"Option '([^']+)' requires an argument\.", r"La opción \1 necesita un valor."),
    (r"Option '([^']+)' does not take a value\.", r"La opción \1 no lleva valor."),
    (r"Got unexpected extra arguments? \((.+)\)", r"Sobran argumentos: \1"),
    (r"Invalid value for (.+?): ", r"Valor no válido para \1: "),
]


def usage_line(exc: click.UsageError, argv: list[str]) -> str:
    """A usage mistake as one line in Spanish, with where to find the help."""
    text = " ".join(exc.format_message().split())
    for pattern, spanish in CLICK_WORDS:
        text = re.sub(pattern, spanish, text)
    return f"Error: {text} (ayuda: {exc.ctx.command_path if exc.ctx else _command_path(argv)} --help)"


def _command_path(argv: list[str]) -> str:
    """`prodesc-monitor report weekly` from the words typed, for errors click raises without a context."""
    group, path = cli, [PROG]
    for word in argv:
        group = group.commands.get(word) if isinstance(group, click.Group) else None
        if group is None:
            break
        path.append(word)
    return " ".join(path)


class Terminated(KeyboardInterrupt):
    """SIGTERM, turned into the stop Ctrl+C makes: `finally` blocks run, connections close, staged
    pages stay on disk for the next run (the default action would end the process on the spot)."""


def _terminated(signum, _frame) -> None:
    raise Terminated()


def main(argv: list[str] | None = None) -> int:
    """The program (`argv` None: the words typed) or a test calling it with `argv`."""
    if argv is None:
        from flows.children import needs_watcher, run_watched

        if needs_watcher(sys.argv[1:]):
            return run_watched(sys.argv[1:])
        signal.signal(signal.SIGTERM, _terminated)
    debug = bool(os.environ.get(DEBUG_VARIABLE))
    try:
        result = cli.main(args=argv, prog_name=PROG, standalone_mode=False)
    except click.UsageError as exc:
        if type(exc).__name__ == "NoArgsIsHelpError":   # `prodesc-monitor` alone: the help, as a mistake
            print(exc.format_message(), file=sys.stderr)
        else:
            print(usage_line(exc, sys.argv[1:] if argv is None else argv), file=sys.stderr)
        return exc.exit_code
    except (click.Abort, KeyboardInterrupt) as exc:
        print("Detenido.", file=sys.stderr)
        # click turns KeyboardInterrupt into Abort (raised from it)
        by_sigterm = isinstance(exc, Terminated) or isinstance(exc.__cause__, Terminated)
        return 128 + (signal.SIGTERM if by_sigterm else signal.SIGINT)
    except click.ClickException as exc:
        print(f"Error: {exc.format_message()}", file=sys.stderr)
        return exc.exit_code
    except Exception as exc:
        if not user_stop(exc) and no_space_left(exc):   # a write outside the warehouse's (a report, staging)
            exc = DiskFull(f"El disco está lleno: no se pudo escribir {getattr(exc, 'filename', None) or 'un archivo'}. "
                           f"Libere espacio y vuelva a correr el comando; lo guardado antes sigue intacto.")
        if user_stop(exc):
            print(" ".join(str(exc).split()), file=sys.stderr)
            if debug:
                traceback.print_exc()
            return getattr(exc, "exit_code", 2)
        print("Error interno del monitor: es un defecto del programa, no algo que usted hizo mal. "
              "Avise a quien lo mantiene y envíele este detalle:", file=sys.stderr)
        traceback.print_exc()
        return 1
    return result if isinstance(result, int) else 0


if __name__ == "__main__":
    sys.exit(main())
