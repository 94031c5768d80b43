"""A headless Chromium for the browser tests (test_browser, test_site, test_feedback).

Debian's `chromium` package, launched by its path (OPTIMLAB_CHROMIUM overrides it). Where it
cannot run, a browser test is skipped, or fails in CI (CI=1), which installs it (.ci/run).
"""
from __future__ import annotations

import os
import shutil

import pytest

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def unavailable(reason: str):
    if IN_CI:
        pytest.fail(f"browser test cannot run in CI: {reason}")
    pytest.skip(reason)


def chromium_path():
    for candidate in (os.environ.get("OPTIMLAB_CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium"),
                      shutil.which("chromium-browser")):
        if candidate and os.path.exists(candidate):
            return candidate
    return None


@pytest.fixture(scope="module")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:  # pragma: no cover - playwright is a test dependency
        unavailable(f"the playwright package is not installed ({exc})")
    exe = chromium_path()
    if exe is None:
        unavailable("no Chromium found (/usr/bin/chromium); install it with `apt-get install chromium`")
    pw = sync_playwright().start()
    try:
        b = pw.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS)
    except Exception as exc:
        pw.stop()
        unavailable(f"Chromium at {exe} does not start: {exc}")
    yield b
    b.close()
    pw.stop()
