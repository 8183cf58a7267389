"""Run one command the way every benchmark times it: wall clock, peak memory, and its output.

Peak memory is the maximum resident set size that GNU time reports for the command and the
processes it waited for; wall time is measured here around the whole process, start-up
included.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import signal
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

logger = logging.getLogger(__name__)

GUARD = Path(__file__).resolve().parent / "guard"
GNU_TIME = "/usr/bin/time"
MAX_RSS = re.compile(r"Maximum resident set size \(kbytes\): (\d+)")
CPU = re.compile(r"(?:User|System) time \(seconds\): ([\d.]+)")


@dataclass(frozen=True)
class Measured:
    """What one timed command did."""

    command: list[str]
    started: float
    """Epoch seconds just before the process was started."""

    wall: float
    peak_mb: float | None
    """Maximum resident set size in MiB, or None when GNU time is not installed."""

    cpu_s: float | None
    """User plus system CPU seconds, or None when GNU time is not installed."""

    returncode: int
    stdout: str
    stderr: str


def guarded_env(extra: Mapping[str, str | None], guard_log: Path) -> dict[str, str]:
    """Return this process's environment with ``extra`` applied and the network guard on."""
    env = dict(os.environ)
    for name, value in extra.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(GUARD), env.get("PYTHONPATH")]))
    env["BENCH_GUARD_LOG"] = str(guard_log)
    return env


def run(
    command: Sequence[str],
    env: Mapping[str, str],
    cwd: Path,
    timeout: float,
    scratch: Path,
) -> Measured:
    """Run ``command`` to the end (or ``timeout`` seconds) and measure it."""
    scratch.mkdir(parents=True, exist_ok=True)
    report = scratch / "time.txt"
    timed = [GNU_TIME, "-v", "-o", str(report), *command] if shutil.which(GNU_TIME) else []
    started = time.time()
    clock = time.perf_counter()
    # A session of its own, so a timeout ends the command's children too, not only GNU time.
    process = subprocess.Popen(
        timed or list(command),
        env=dict(env),
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        stdout, stderr = process.communicate()
        stderr += f"\n(timed out after {timeout:.0f} s)"
    except BaseException:
        # Interrupted: the command's session would outlive this process otherwise.
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        raise
    returncode = process.returncode
    wall = time.perf_counter() - clock

    (scratch / "stdout.txt").write_text(stdout, encoding="utf-8")
    (scratch / "stderr.txt").write_text(stderr, encoding="utf-8")
    text = report.read_text(encoding="utf-8", errors="replace") if report.exists() else ""
    peak = MAX_RSS.search(text)
    cpu = [float(seconds) for seconds in CPU.findall(text)]
    return Measured(
        command=list(command),
        started=started,
        wall=wall,
        peak_mb=int(peak.group(1)) / 1024 if peak else None,
        cpu_s=sum(cpu) if cpu else None,
        returncode=returncode,
        stdout=stdout,
        stderr=stderr,
    )
