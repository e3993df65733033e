"""Killing a command mid-way (``kill -9``) at a marker it printed, for the fault tests (issue 14 item 7)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

CANREHAB = str(Path(sys.executable).with_name("canrehab"))


def run(
    args: Sequence[str], env: Mapping[str, str], timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [CANREHAB, *args], env={**os.environ, **env}, capture_output=True, text=True, timeout=timeout
    )


def kill_at(
    args: Sequence[str],
    env: Mapping[str, str],
    ready: Callable[[list[str]], bool],
    *,
    timeout: float = 240,
) -> str:
    """Start ``canrehab args``, wait until ``ready(stderr lines so far)`` holds (a progress line, or a state
    it polls: a file, a row), then SIGKILL it; returns its stderr. Fails when the command ends before the
    marker (the test would prove nothing)."""
    proc = subprocess.Popen(
        [CANREHAB, *args],
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(proc.stderr or ()), daemon=True)
    reader.start()
    deadline = time.monotonic() + timeout
    try:
        while not ready(list(lines)):
            if proc.poll() is not None:
                reader.join(5)
                raise AssertionError("the command ended before the marker:\n" + "".join(lines[-20:]))
            if time.monotonic() > deadline:
                raise AssertionError("no marker within the timeout:\n" + "".join(lines[-20:]))
            time.sleep(0.01)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        reader.join(5)
    assert proc.returncode == -signal.SIGKILL, proc.returncode
    return "".join(lines)
