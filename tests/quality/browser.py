"""A real headless Chromium for checking HTML reports: Debian's ``chromium``, installed when missing."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--enable-logging=stderr",
    "--v=1",
)
# Chromium logs every console message of a page, whatever its level, as
# `[...:INFO:CONSOLE:<line>] "<message>", source: <url> (<line>)`; uncaught exceptions arrive the same way.
_CONSOLE = re.compile(r':[A-Z]+:CONSOLE[:(]\d+\)?\] "(?P<message>.*)", source: (?P<source>\S*)')
_ERROR = re.compile(r"Uncaught|Error|Failed to load|net::ERR_", re.I)


@dataclass(frozen=True)
class PageLoad:
    """What the browser saw: the DOM after load, every console message, and those that are errors."""

    dom: str
    console: list[str]
    errors: list[str]


def find_chromium() -> tuple[str | None, str]:
    """The chromium binary, installing Debian's package when missing and running as root.

    Returns:
        (path, "") or (None, the reason it is not available).
    """
    found = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
    if found:
        return found, ""
    if not hasattr(os, "geteuid") or os.geteuid() != 0 or not shutil.which("apt-get"):
        return (
            None,
            "chromium is not installed and this user cannot install it (apt-get install chromium as root)",
        )
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "--no-install-recommends", "chromium"]
    try:
        done = subprocess.run(install, env=env, capture_output=True, text=True, timeout=900, check=False)
        if done.returncode != 0:
            # A stale package index is the usual cause; refresh it once and try again.
            subprocess.run(["apt-get", "update"], env=env, capture_output=True, timeout=300, check=False)
            done = subprocess.run(install, env=env, capture_output=True, text=True, timeout=900, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return None, f"installing chromium failed: {exc}"
    found = shutil.which("chromium")
    if done.returncode != 0 or not found:
        return None, f"apt-get install chromium failed: {done.stderr.strip()[-300:]}"
    return found, ""


def load(chromium: str, page: Path, timeout: float = 120) -> PageLoad:
    """Open ``page`` in a fresh headless profile; return the DOM and the console output."""
    with tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile:
        done = subprocess.run(
            [chromium, *FLAGS, f"--user-data-dir={profile}", "--dump-dom", page.resolve().as_uri()],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    if done.returncode != 0 or "<html" not in done.stdout:
        raise AssertionError(
            f"chromium could not load {page} (exit {done.returncode}): {done.stderr[-2000:]}"
        )
    console = [m.group("message") for m in _CONSOLE.finditer(done.stderr)]
    return PageLoad(done.stdout, console, [m for m in console if _ERROR.search(m)])
