"""`prodesc-monitor evaluate`'s application part: the labelled corpus's replay proxy and the
report a person reads.

The scoring rule itself (`Score`, `score`) and reading what the database counts
(`read_database`) are `warehouse/evaluation.py`; reading a corpus's labels is
`flows.labelled.read_labels`. The command crawls the corpus through `replay_proxy`
first (the real crawl, as in production), or reads a database already made from it.
"""
from __future__ import annotations

import subprocess
import sys
import time
from collections import Counter
from contextlib import contextmanager
from pathlib import Path

from warehouse.evaluation import Score

__all__ = ["format_report", "replay_proxy"]


def format_report(s: Score) -> str:
    """The scores as a person reads them, in Spanish (decimal point, as Mexico writes it)."""
    d = s.as_dict()
    lines = [
        f"Por artículo: precisión {d['precision']:.3f}, exhaustividad {d['recall']:.3f}, F1 {d['f1']:.3f} "
        f"({s.tp} correctas, {s.fp} contadas por error, {s.fn} omitidas)",
        f"De las correctas: tema {d['theme_accuracy']:.3f}, alcance {d['reach_accuracy']:.3f}, "
        f"fecha {d['date_accuracy']:.3f}",
        f"Contadas dos veces: {len(s.counted_twice)}",
    ]
    if s.false_positives:
        lines.append("Contadas sin deber (por trampa y proceso):")
        for (trap, proc), n in Counter((f["trap"], f["process"]) for f in s.false_positives).most_common():
            lines.append(f"  {n} × trampa={trap} proceso={proc}")
        lines += [f"    {f['url']}" for f in s.false_positives]
    if s.false_negatives:
        lines.append("Omitidas (por proceso):")
        for proc, n in Counter(f["process"] for f in s.false_negatives).most_common():
            lines.append(f"  {n} × {proc}")
        lines += [f"    {f['url']} {f['roles'] or ''}".rstrip() for f in s.false_negatives]
    n = len(s.tally_mismatches)
    lines.append("Conteos: " + ("coinciden con expected.json celda por celda" if not n
                                else f"{n} {'celda difiere' if n == 1 else 'celdas difieren'} de expected.json"))
    lines += [f"  {m}" for m in s.tally_mismatches]
    return "\n".join(lines)


@contextmanager
def replay_proxy(corpus: Path, log_path: Path):
    """The corpus's own replay proxy when it ships one (../tools/replay_proxy.py), else ours."""
    script = corpus.resolve().parent / "tools" / "replay_proxy.py"
    if not script.exists():
        from flows.demo.sampleweb import serving
        with serving(corpus / "web", log_path=log_path) as url:
            yield url
        return
    import socket
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    proc = subprocess.Popen([sys.executable, str(script), str(corpus), "--port", str(port), "--log", str(log_path)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 20
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"El proxy de reproducción del corpus {script} se detuvo al arrancar: "
                                   f"{proc.stderr.read()[-500:]}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"El proxy de reproducción del corpus {script} no respondió en 20 s") from None
                time.sleep(0.2)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(10)
