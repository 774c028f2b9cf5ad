"""No child process outlives the command that started it.

A crawl starts other processes: Prefect's temporary API server (Prefect starts it itself, a
`uvicorn` child, when no PREFECT_API_URL is set), the Scrapy crawler (`flows.steps.run_scrapy`),
the extraction workers (`--workers N`), and `serve` starts `prefect server start`. When the command ended
normally they were stopped, but when the `prodesc-monitor` process alone was killed (`kill PID`,
`kill -9 PID`, the parent of a systemd unit or of a terminal dying), they were not: issue 17 found
the temporary Prefect server alive 180 s later, still holding its port, and a Scrapy child still
fetching.

Why this design. We do not spawn all those children ourselves (Prefect spawns its server,
multiprocessing its workers and helpers), so a `prctl(PR_SET_PDEATHSIG)` in a `preexec_fn` of our own
`Popen` calls would cover only Scrapy, and a process killed with SIGKILL runs no clean-up at all.
What does hold: every one of those children stays in the process group of whoever started it
(none of them calls `setsid`). So the command runs in a process group of its own, led by a small
watcher that outlives nothing:

    prodesc-monitor crawl ...            the process the person (or systemd, or a test) started: P
      └─ python -m flows.children P ...  the watcher, in a new session (its own process group): S
           └─ python -m flows.cli crawl ...   the command itself, same group: W
                ├─ uvicorn (Prefect's temporary server), Scrapy, extraction workers...: same group

  * W ends (done, failed, stopped): S ends every process left in its group (SIGTERM, then SIGKILL
    after `GRACE_S`) and exits with W's code; P exits with it.
  * P receives SIGINT (Ctrl+C: the terminal sends it to P's group only, not to S's session),
    SIGTERM or SIGHUP: it passes the signal on to S, which passes it on to W (SIGHUP as SIGTERM):
    W stops as after Ctrl+C (`flows.cli` turns SIGTERM into the same clean stop), then S ends
    the group as above. A second signal ends the group at once.
  * P is killed (SIGKILL: nothing runs in P): the kernel sends S a SIGTERM (`PR_SET_PDEATHSIG`,
    set by P before S runs; P is single-threaded then, so the `preexec_fn` is safe), and S also
    polls its parent's pid every `POLL_S` as a fallback (other systems, or a pid reused). S then
    stops W and the group as above: nothing outlives P by more than `GRACE_S` twice.
  * S is killed alone with SIGKILL: W and its children lose their watcher. That is the one gap
    (someone must target the watcher's pid deliberately); `kill -9 -PGID` of the group ends all.

Only the commands that start children go through the watcher (`WATCHED_COMMANDS`), and only
when run as the program (`flows.cli:main()` without arguments), not when a test calls `main(argv)`
in its own process. This module imports nothing beyond the standard library: the watcher starts
in a few hundredths of a second.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

WATCHED_VARIABLE = "PRODESC_MONITOR_WATCHED"   # set for W: it runs under a watcher already
WATCHED_COMMANDS = frozenset({"crawl", "demo", "serve", "alerts", "deploy-partitions", "evaluate"})
GRACE_S = 4.0        # how long W, then the rest of the group, get to stop before SIGKILL
POLL_S = 0.2
PR_SET_PDEATHSIG = 1
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def needs_watcher(argv: list[str]) -> bool:
    """The command named by `argv` starts child processes, and no watcher runs it yet."""
    words = [a for a in argv if not a.startswith("-")]
    return bool(words) and words[0] in WATCHED_COMMANDS and not os.environ.get(WATCHED_VARIABLE)


def _die_with_parent() -> None:
    """In the child, before it runs: the kernel sends it SIGTERM when its parent dies (Linux)."""
    try:
        import ctypes
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    except (OSError, AttributeError):
        pass                      # not Linux: the watcher's poll of its parent's pid remains


def run_watched(argv: list[str]) -> int:
    """In P: run the command under the watcher (see the module's docstring); its exit code."""
    cmd = [sys.executable, "-m", "flows.children", str(os.getpid()), "--",
           sys.executable, "-m", "flows.cli", *argv]
    watcher = subprocess.Popen(cmd, env={**os.environ, WATCHED_VARIABLE: "1"}, start_new_session=True,
                               preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None)

    def pass_on(signum, _frame) -> None:
        try:
            watcher.send_signal(signum)
        except ProcessLookupError:
            pass

    for sig in STOP_SIGNALS:
        signal.signal(sig, pass_on)
    return exit_code(watcher.wait())


def exit_code(returncode: int) -> int:
    """A child's return code as a shell would give it (killed by signal N: 128 + N)."""
    return 128 - returncode if returncode < 0 else returncode


# ------------------------------------------------------------------ the watcher (S)

def group_members() -> list[int]:
    """The other processes of this process group (Linux /proc; elsewhere none are known)."""
    me, group, found = os.getpid(), os.getpgrp(), []
    try:
        entries = os.listdir("/proc")
    except OSError:
        return found
    for entry in entries:
        if not entry.isdigit() or int(entry) == me:
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as fh:
                fields = fh.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == group and fields[0] != b"Z":       # fields: state, ppid, pgrp...
            found.append(int(entry))
    return found


def end_group(grace: float = GRACE_S) -> None:
    """SIGTERM to every other process of the group, SIGKILL to those still there after `grace`.
    The watcher ignores SIGTERM by then; without /proc (not Linux) the group gets SIGTERM only."""
    if not os.path.isdir("/proc"):
        try:
            os.killpg(os.getpgrp(), signal.SIGTERM)
        except OSError:
            pass
        return
    for sig in (signal.SIGTERM, signal.SIGKILL):
        members = group_members()
        for pid in members:
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + grace
        while members and time.monotonic() < deadline:
            _reap()
            time.sleep(0.05)
            members = group_members()
        if not members:
            return


def _reap() -> None:
    """Collect our own dead children (W), so they do not linger as zombies."""
    try:
        while os.waitpid(-1, os.WNOHANG)[0]:
            pass
    except ChildProcessError:
        pass


def watch(parent: int, cmd: list[str]) -> int:
    """S: run W, and end the whole group when W ends or when P is gone or asks to stop."""
    stops: list[int] = []
    signal.signal(signal.SIGINT, lambda s, f: stops.append(s))
    signal.signal(signal.SIGTERM, lambda s, f: stops.append(s))
    signal.signal(signal.SIGHUP, lambda s, f: stops.append(signal.SIGTERM))
    worker = subprocess.Popen(cmd)
    told, deadline = 0, None
    while worker.poll() is None:
        if os.getppid() != parent and not stops:
            stops.append(signal.SIGTERM)                       # P died without a word
        if len(stops) > told:
            if told:                                           # a second signal: stop waiting
                break
            worker.send_signal(signal.SIGINT if stops[0] == signal.SIGINT else signal.SIGTERM)
            told, deadline = len(stops), time.monotonic() + GRACE_S
        if deadline is not None and time.monotonic() > deadline:
            break
        time.sleep(POLL_S)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    end_group()
    code = worker.poll()
    if code is None:
        return 128 + (stops[0] if stops else signal.SIGTERM)
    return exit_code(code)


def main(argv: list[str]) -> int:
    parent, separator, *cmd = argv
    assert separator == "--" and cmd, "usage: python -m flows.children PARENT_PID -- COMMAND..."
    return watch(int(parent), cmd)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
