"""Killing a command mid-way (``kill -9``) at a marker it printed, for the fault tests (issue 14 item 7)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
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
    ready: Callable[[str], bool],
    *,
    timeout: float = 240,
) -> str:
    """Start ``canrehab args``, wait until ``ready(line)`` holds for a line of its stderr (or, with a
    ``ready`` that ignores its argument, for a state it polls), then SIGKILL it; returns its stderr so far.
    Fails when the command ends before the marker (the test would prove nothing)."""
    proc = subprocess.Popen(
        [CANREHAB, *args],
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    assert proc.stderr is not None
    seen: list[str] = []
    deadline = time.monotonic() + timeout
    try:
        for line in proc.stderr:
            seen.append(line)
            if ready(line):
                os.kill(proc.pid, signal.SIGKILL)
                break
            if time.monotonic() > deadline:
                raise AssertionError("no marker within the timeout:\n" + "".join(seen[-20:]))
        else:
            raise AssertionError("the command ended before the marker:\n" + "".join(seen[-20:]))
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL, proc.returncode
    return "".join(seen)
