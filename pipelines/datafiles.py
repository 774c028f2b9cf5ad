"""Reading a file the team edits by hand: `sources.yaml`, the knowledge base, `teasers.yaml`.

The three readers had the same steps and the same Spanish messages, written three times: a
missing file, a folder given instead of the file, a file that cannot be read, and one saved
in another encoding than UTF-8 (Windows' editors still do it), whose message names the line of
the first wrong character so that the person can find it. What each file means stays with
its reader; this is only the part that is the same.
"""
from __future__ import annotations

from pathlib import Path


def read_utf8(path: Path, what: str, error: type[Exception]) -> tuple[bytes, str]:
    """The file's bytes and their text, or `error` with one line naming `path`. `what` is how a
    person calls the file ("el archivo de medios"), written into the message."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise error(f"{path}: {what} no existe") from None
    except IsADirectoryError:
        raise error(f"{path}: es una carpeta, no {what}") from None
    except OSError as exc:
        raise error(f"{path}: no se puede leer {what} ({exc.strerror or exc})") from None
    try:
        return raw, raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise error(f"{path}:{line}: el archivo debe guardarse con la codificación UTF-8; esta línea tiene "
                    f"un carácter en otra codificación (guárdelo de nuevo como UTF-8)") from None
