"""Benchmark: our whole processing stage beside bare trafilatura and news-please, over the same real pages.

    PYTHONPATH=. .venv/bin/python bench/peers.py [--html-dir ../shared/realdata/html] [--repeat 3] [--json peers.json]

news-please (Scrapy + newspaper4k + readability) is what a Python user would pick instead
of the monitor. Each tool runs in its own process, one after the other in this run, over
the same pages (bench/peers_worker.py: a warm-up, then `--repeat` timed runs, the best kept):
  trafilatura   bare `trafilatura.extract(body, url)`, in our virtual environment (the reference)
  ours          our whole stage: extraction, language and tagging, the warehouse load (one batch)
  news-please   `NewsPlease.from_html(html, url, fetch_images=False)`, extraction alone, in its own
                virtual environment (build/peers-venv, made from bench/peers-requirements.txt
                when missing) so that its pins never touch ours
Prints wall and CPU ms per page (CPU time: the whole process; on a shared machine it moves
less than wall time between tools run one after the other), the ratios to trafilatura, how
much faster our stage is than news-please,
and scores each tool's text against the ground truth of ../shared/realdata/expected
(bench/snippets.py, the code tests/test_hostile_realdata.py asserts with): the share of
"with" snippets found, of "without" snippets wrongly kept, and the body-word recall.
Nothing here is asserted by a test: the figures go to docs/performance.md.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
from datetime import datetime, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
from bench.snippets import Score, expected_for   # noqa: E402  (run as a script from anywhere)

REQUIREMENTS = HERE / "peers-requirements.txt"
DEFAULT_VENV = ROOT / "build" / "peers-venv"
TOOLS = ("trafilatura", "ours", "news-please")


def peer_python(venv: Path) -> Path:
    """The news-please environment's python, made first when missing (`python -m venv` + pip, from the
    package registry pip is configured for; the versions are pinned in bench/peers-requirements.txt)."""
    python = venv / "bin" / "python"
    if not python.exists():
        print(f"creating {venv} for news-please (pip install -r {REQUIREMENTS.name})", flush=True)
        # without our PYTHONPATH: pip would see this checkout's metadata and report our own
        # requirements as "not installed" in an environment that must not have them
        env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, env=env)
        subprocess.run([str(python), "-m", "pip", "install", "-q", "-r", str(REQUIREMENTS)], check=True, env=env)
    return python


def run_tool(tool: str, python: Path, listing: Path, repeat: int) -> dict:
    env = dict(os.environ)
    if tool == "news-please":
        env.pop("PYTHONPATH", None)           # nothing of ours, nor of our venv, in its process
    else:
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    proc = subprocess.run([str(python), str(HERE / "peers_worker.py"), tool, str(listing), "--repeat", str(repeat)],
                          env=env, capture_output=True, text=True, cwd=ROOT)
    if proc.returncode != 0:
        raise SystemExit(f"{tool} failed (exit {proc.returncode}):\n" + "\n".join(proc.stderr.splitlines()[-20:]))
    return json.loads(proc.stdout)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--html-dir", type=Path, default=ROOT.parent / "shared" / "realdata" / "html")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--venv", type=Path, default=DEFAULT_VENV, help="news-please's virtual environment")
    ap.add_argument("--json", type=Path, help="also write the figures here")
    args = ap.parse_args()
    if args.json:   # its folder made now: a missing one failed only after the whole run
        args.json.parent.mkdir(parents=True, exist_ok=True)
    realdata = args.html_dir.resolve().parent
    htmls = sorted(args.html_dir.resolve().rglob("*.html"))
    expected = {str(h): expected_for(h, realdata) for h in htmls}
    listing_pages = [{"path": str(h), "url": expected[str(h)].url or f"https://{h.parent.name}.realdata.example/{h.stem}"}
                     for h in htmls]
    pythons = {"trafilatura": Path(sys.executable), "ours": Path(sys.executable), "news-please": peer_python(args.venv)}
    load_before = os.getloadavg()
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        listing = Path(tmp) / "pages.json"
        listing.write_text(json.dumps(listing_pages), encoding="utf-8")
        for tool in TOOLS:
            print(f"running {tool} ...", flush=True)
            results[tool] = run_tool(tool, pythons[tool], listing, args.repeat)
    load_after = os.getloadavg()
    n = len(htmls)
    figures = {}
    for tool, r in results.items():
        score = Score()
        for path, text in r["texts"].items():
            score.add(Path(path).name, expected[path], text)
        best, best_cpu = min(r["seconds"]), min(r["cpu_seconds"])
        figures[tool] = {"version": r["version"], "seconds": best, "runs_seconds": r["seconds"],
                         "cpu_seconds": best_cpu, "runs_cpu_seconds": r["cpu_seconds"],
                         "ms_per_page": round(1000 * best / n, 2), "cpu_ms_per_page": round(1000 * best_cpu / n, 2), "pages_with_text": sum(bool(t) for t in r["texts"].values()),
                         "network_attempts": len(r["network_attempts"]), "errors": r["errors"],
                         "quality": score.as_dict()}
    base, base_cpu = figures["trafilatura"]["seconds"], figures["trafilatura"]["cpu_seconds"]
    for f in figures.values():
        f["ratio_vs_trafilatura"] = round(f["seconds"] / base, 2)
        f["cpu_ratio_vs_trafilatura"] = round(f["cpu_seconds"] / base_cpu, 2)
    speedup = round(figures["news-please"]["seconds"] / figures["ours"]["seconds"], 2)
    cpu_speedup = round(figures["news-please"]["cpu_seconds"] / figures["ours"]["cpu_seconds"], 2)

    print(f"\n{n} pages ({args.html_dir}), best of {args.repeat} runs after a warm-up, one process per tool; "
          f"{os.cpu_count()} cores, load average {load_before[0]:.1f} before, {load_after[0]:.1f} after")
    print(f"{'tool':34} {'ms/page':>8} {'x trafilatura':>13} {'CPU ms/page':>11} {'x':>6} "
          f"{'with found':>15} {'without kept':>15} {'body recall':>11}")
    labels = {"trafilatura": "bare trafilatura.extract", "ours": "our whole stage (extract+tag+load)",
              "news-please": "news-please from_html"}
    for tool, f in figures.items():
        q = f["quality"]
        print(f"{labels[tool]:34} {f['ms_per_page']:8.1f} {f['ratio_vs_trafilatura']:12.2f}x "
              f"{f['cpu_ms_per_page']:11.1f} {f['cpu_ratio_vs_trafilatura']:5.2f}x "
              f"{q['with_found']:>5}/{q['with_total']:<3} {q['with_share']:>4.0%} "
              f"{q['without_kept']:>5}/{q['without_total']:<3} {q['without_share']:>4.0%} {q['body_recall']:>10.3f}"
              + (f"  ({f['version']})" if f["version"] else ""))
    print(f"our whole stage is {speedup:.2f}x as fast per page as news-please's extraction alone in wall time, "
          f"{cpu_speedup:.2f}x in CPU time (target ≥ 2x)")
    for tool, f in figures.items():
        if f["errors"]:
            kinds = sorted({e.split(":")[0] for e in f["errors"].values()})
            print(f"{tool}: raised on {len(f['errors'])} pages ({', '.join(kinds)}): scored as giving no text")
    if any(f["network_attempts"] for f in figures.values()):
        print("network attempts refused: " + ", ".join(f"{t} {f['network_attempts']}" for t, f in figures.items()))
    if args.json:
        args.json.write_text(json.dumps({
            "bench": "peers", "measured_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "machine": {"cores": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version(),
                        "load_average": [round(load_before[0], 2), round(load_after[0], 2)]},
            "arguments": {"html_dir": str(args.html_dir), "repeat": args.repeat, "pages": n},
            "tools": figures, "ours_speedup_vs_news_please": speedup, "ours_cpu_speedup_vs_news_please": cpu_speedup,
            "ratio_vs_trafilatura": {t: f["ratio_vs_trafilatura"] for t, f in figures.items()},
            "cpu_ratio_vs_trafilatura": {t: f["cpu_ratio_vs_trafilatura"] for t, f in figures.items()},
        }, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
