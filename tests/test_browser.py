"""The explorers in a real browser: JupyterLab 4 and Notebook 7 in headless Chromium.

For each front-end a Jupyter server (``jupyter lab``, then ``jupyter notebook``) runs on a free
localhost port with a token, on a temporary copy of the notebook. The test opens the notebook,
runs all cells from the Run menu, waits for the ipympl canvas and the ipywidgets sliders (so
both front-end extensions loaded), drags the first ``lr`` slider with the mouse (the explorer
redraws by blitting) and then its ``steps`` slider (new axis limits: a full redraw requested by
the front-end), and checks each time that the figure's pixels changed. The browser console must show no
error (only the documented harmless one below is ignored). Screenshots of the figure before
and after are kept in ``tests/artifacts/``.

The notebook is a parameter: ``OPTIMLAB_BROWSER_NOTEBOOK=path/to/notebook.ipynb`` (default:
``tests/browser_notebooks/widgets_demo.ipynb``); its first ``lr`` slider is moved.

Without Chromium (or Playwright) the test is skipped and says why, except in CI (``CI=true``),
where it fails: CI installs Chromium in ``.ci/run``.
"""
from __future__ import annotations

import io
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import numpy as np
import pytest

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "tests" / "artifacts"
# A course notebook (the instructor version, so that Run All does not stop at an unfinished exercise).
DEFAULT_NOTEBOOK = ROOT / "solutions" / "04_momentum" / "04_momentum.ipynb"

# Console errors that are known and harmless, each with where it comes from. Nothing else is ignored.
HARMLESS = [
    # Notebook 7.6: a race in the keyboard-shortcuts plugin when the settings of
    # "@jupyterlab/docmanager-extension:plugin" are reloaded while the page opens
    # (https://github.com/jupyter/notebook/issues/7862, open). It happens on every page load, with
    # or without our extensions, and has no visible effect.
    ("notebook", "pageerror", re.compile(r"^Cannot read properties of undefined \(reading 'schema'\)$"),
     "notebook_core"),
]

FRONTENDS = {
    "lab": "/lab/tree/{name}",        # JupyterLab 4
    "notebook": "/notebooks/{name}",  # Notebook 7
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# Besides part I's notebook in both front ends, one notebook of each later part in JupyterLab.
LATER_NOTEBOOKS = [ROOT / "solutions" / "06_adagrad" / "06_adagrad.ipynb",
                   ROOT / "solutions" / "10_schedules" / "10_schedules.ipynb"]
# The two sliders the test drags, by their labels: the learning rate, then one that changes the axes.
SLIDERS = {"10_schedules": (r"^lr0 / max_lr$", r"^epochs$")}
DEFAULT_SLIDERS = (r"^lr$", r"^steps$")


def _notebook_path(path=None) -> Path:
    path = Path(path or os.environ.get("OPTIMLAB_BROWSER_NOTEBOOK", DEFAULT_NOTEBOOK))
    if not path.is_absolute():
        path = ROOT / path
    assert path.exists(), f"OPTIMLAB_BROWSER_NOTEBOOK={path} does not exist"
    return path


def _server_params():
    if os.environ.get("OPTIMLAB_BROWSER_NOTEBOOK"):
        return [(front, None) for front in FRONTENDS]
    return [(front, None) for front in FRONTENDS] + [("lab", p) for p in LATER_NOTEBOOKS if p.exists()]


@pytest.fixture(params=_server_params(), ids=lambda p: p[0] + ("" if p[1] is None else "-" + p[1].stem))
def server(request, tmp_path_factory):
    """``jupyter lab`` or ``jupyter notebook`` on a free port, serving a copy of the notebook."""
    front, notebook = request.param
    root = tmp_path_factory.mktemp(f"root_{front}")
    home = tmp_path_factory.mktemp(f"jupyter_{front}")
    source = _notebook_path(notebook)
    shutil.copy(source, root / f"{front}_{source.name}")
    port, token = _free_port(), secrets.token_hex(16)
    env = {k: v for k, v in os.environ.items() if k != "OPTIMLAB_STATIC"}  # the widgets decide by themselves
    # Fresh settings and workspaces: nothing from the developer's own Jupyter setup leaks in.
    env.update(JUPYTER_CONFIG_DIR=str(home / "config"), JUPYTER_RUNTIME_DIR=str(home / "runtime"),
               JUPYTERLAB_SETTINGS_DIR=str(home / "settings"), JUPYTERLAB_WORKSPACES_DIR=str(home / "workspaces"),
               JUPYTER_DATA_DIR=str(home / "data"), JUPYTER_PLATFORM_DIRS="1")
    # Render every cell: by default JupyterLab 4 only renders the cells near the viewport.
    tracker = home / "settings" / "@jupyterlab" / "notebook-extension" / "tracker.jupyterlab-settings"
    tracker.parent.mkdir(parents=True)
    tracker.write_text(json.dumps({"windowingMode": "none"}))
    jupyter = Path(sys.executable).with_name("jupyter")
    log = open(home / "server.log", "w")
    cmd = [str(jupyter), "lab" if front == "lab" else "notebook", "--no-browser", "--ip=127.0.0.1", f"--port={port}", "--ServerApp.port_retries=0",
           f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}", "--allow-root",
           "--LabApp.news_url=None", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
    proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=root)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
            break
        except Exception:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                log.close()
                pytest.fail(f"Jupyter server did not start:\n{(home / 'server.log').read_text()[-3000:]}")
            time.sleep(0.25)
    yield {"front": front, "base": base, "token": token, "root": root, "name": source.name,
           "log": home / "server.log", "source": source}
    proc.terminate()
    try:
        proc.wait(15)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


def _wait_kernel_idle(server, name, timeout=60.0):
    """Wait until the notebook's kernel has started and is idle (asked from the server's REST API)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with urllib.request.urlopen(f"{server['base']}/api/sessions?token={server['token']}", timeout=5) as r:
            sessions = json.load(r)
        states = [s["kernel"]["execution_state"] for s in sessions if s.get("path", "").endswith(name)]
        if states and states[0] == "idle":
            time.sleep(0.5)  # the page connects its websocket right after the kernel starts
            return
        time.sleep(0.25)
    pytest.fail(f"the kernel of {name} did not become idle within {timeout:.0f} s")


def _image(png: bytes) -> np.ndarray:
    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=np.int16)


def _changed_fraction(a: bytes, b: bytes) -> float:
    x, y = _image(a), _image(b)
    if x.shape != y.shape:
        return 1.0
    return float((np.abs(x - y).sum(axis=2) > 30).mean())


def _expected_figures(path=None) -> int:
    """Cells whose last statement is an explorer call: each displays one figure."""
    call = re.compile(r"^(?:[\w.]+\.)?(?:landscape_explorer|data_explorer|race|schedule_explorer)\(")
    count = 0
    for cell in json.loads(_notebook_path(path).read_text())["cells"]:
        if cell["cell_type"] != "code":
            continue
        lines = [ln for ln in "".join(cell["source"]).splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
        # the last statement starts at the last line without indentation
        last = next((ln for ln in reversed(lines) if not ln[:1].isspace() and not ln.startswith(")")), "")
        count += bool(call.match(last))
    return count


def _drag(page, slider, dx, canvas, before):
    """Drag ``slider``'s handle by ``dx`` pixels as a person would; wait for the figure to change and settle.

    Returns the readout before and after, the new screenshot and the fraction of pixels that changed.
    """
    readout = slider.locator(".widget-readout").first
    value_before = readout.inner_text()
    handle = slider.locator(".noUi-handle").first
    handle.scroll_into_view_if_needed()  # an explorer's controls may sit below the figure, out of view
    box = handle.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    for k in range(1, 8):
        page.mouse.move(x + dx * k / 7, y)
        time.sleep(0.05)
    page.mouse.up()
    page.mouse.move(0, 0)  # no hover: ipympl's toolbar fades in under the mouse
    deadline, after, fraction = time.monotonic() + 20, before, 0.0
    while time.monotonic() < deadline:
        time.sleep(0.5)
        after = canvas.screenshot()
        fraction = _changed_fraction(before, after)
        if fraction > 0.002 and _changed_fraction(after, canvas.screenshot()) == 0.0:
            break
    return value_before, readout.inner_text(), after, fraction


def _is_harmless(front, kind, text, stack) -> bool:
    return any(f == front and k == kind and pattern.search(text) and where in (stack or "")
               for f, k, pattern, where in HARMLESS)


def test_explorer_in_browser(browser, server):
    front = server["front"]
    tag = f"{front}_{server['source'].stem}"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    errors, ignored = [], []
    page = browser.new_page(viewport={"width": 1400, "height": 1000})

    def on_console(msg):
        if msg.type == "error":
            text = msg.text
            (ignored if _is_harmless(front, "console", text, "") else errors).append(f"console: {text}")

    def on_pageerror(exc):
        text, stack = str(exc), getattr(exc, "stack", "") or ""
        (ignored if _is_harmless(front, "pageerror", text, stack) else errors).append(f"pageerror: {text}\n{stack}")

    page.on("console", on_console)
    page.on("pageerror", on_pageerror)
    name = f"{front}_{server['name']}"
    try:
        page.goto(f"{server['base']}{FRONTENDS[front].format(name=name)}?token={server['token']}")
        page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)
        _wait_kernel_idle(server, name)
        page.get_by_role("menuitem", name="Run", exact=True).click()
        page.get_by_role("menuitem", name="Run All Cells", exact=True).click()

        canvas = page.locator(".jupyter-matplotlib-canvas-div").first
        canvas.wait_for(state="visible", timeout=90_000)
        lr_label, steps_label = SLIDERS.get(server["source"].stem, DEFAULT_SLIDERS)
        slider = page.locator(".widget-slider").filter(has=page.locator("label", has_text=re.compile(lr_label))).first
        slider.wait_for(state="visible", timeout=30_000)
        canvas.scroll_into_view_if_needed()
        page.mouse.move(0, 0)  # no hover: ipympl's toolbar fades in under the mouse

        def shot():
            return canvas.screenshot()

        # Wait for a drawn, stable figure (the first frame arrives after the kernel draws).
        before, deadline = shot(), time.monotonic() + 30
        while True:
            time.sleep(0.5)
            again = shot()
            drawn = len(np.unique(_image(again).reshape(-1, 3), axis=0)) > 20
            if drawn and _changed_fraction(before, again) == 0.0:
                break
            before = again
            assert time.monotonic() < deadline, "the figure never finished drawing"
        (ARTIFACTS / f"browser_{tag}_before.png").write_bytes(before)
        # 1. The learning rate: the explorer redraws by blitting (only the paths and notes change).
        value_before, value_after, after, fraction = _drag(page, slider, 42, canvas, before)
        (ARTIFACTS / f"browser_{tag}_after.png").write_bytes(after)
        assert value_after != value_before, f"the lr slider did not move ({value_before!r})"
        assert fraction > 0.002, (f"the figure did not change after moving lr from {value_before} to {value_after} "
                                  f"({fraction:.4%} of pixels changed); see tests/artifacts/browser_{tag}_*.png")
        # 2. The number of steps: new axis limits, so a full redraw requested from the front-end.
        steps = page.locator(".widget-slider").filter(has=page.locator("label", has_text=re.compile(steps_label))).first
        steps_before, steps_after, after2, fraction2 = _drag(page, steps, -20, canvas, after)
        (ARTIFACTS / f"browser_{tag}_after_steps.png").write_bytes(after2)
        page.screenshot(path=str(ARTIFACTS / f"browser_{tag}_page.png"))
        assert steps_after != steps_before, f"the steps slider did not move ({steps_before!r})"
        assert fraction2 > 0.002, (f"the figure did not change after moving steps from {steps_before} to "
                                   f"{steps_after} ({fraction2:.4%} of pixels changed)")
        # Every cell ran without an error, and every explorer displayed (the race too, whose learner
        # function raises NotImplementedError).
        _wait_kernel_idle(server, name)
        tracebacks = [t for t in page.locator("[data-mime-type='application/vnd.jupyter.stderr']").all_inner_texts()
                      if "Traceback" in t or "Error" in t]
        assert not tracebacks, "a cell failed:\n" + "\n".join(t[:2000] for t in tracebacks)
        assert not page.locator("text=Error displaying widget").count(), "a widget failed to display"
        expected = _expected_figures(server["source"])
        page.wait_for_function("n => document.querySelectorAll('.jupyter-matplotlib-canvas-div').length >= n",
                               arg=expected, timeout=20_000)
        assert page.locator(".jupyter-matplotlib-canvas-div").count() == expected, "an explorer is missing"
        last = page.locator(".jupyter-matplotlib-canvas-div").last
        last.scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / f"browser_{tag}_last.png"))
    finally:
        (ARTIFACTS / f"browser_{tag}_console.json").write_text(json.dumps({"errors": errors, "ignored": ignored},
                                                                            indent=1))
        page.close()
    assert not errors, "browser console errors:\n" + "\n".join(errors)


# --- The servers `make lab`, `make notebook` and `make instructor` start -------------------------------------------
# Started through make itself (``-o .venv/.installed``: no re-install if pyproject.toml is newer), so the test runs
# the exact command a learner runs, as the user the suite runs as (root here, as in Docker and CI). Only the port, the
# token and fresh per-test Jupyter folders are added (JUPYTER_ARGS and the environment).
COURSE_FOLDERS = sorted(p.name for p in (ROOT / "course").iterdir() if p.is_dir() and p.name[:2].isdigit())
MAKE_PAGES = {"lab": "/lab", "notebook": "/tree", "instructor": "/lab"}
NBGRADER_WARNING = "No nbgrader_config.py file found"


def _make_server(target, tmp):
    import signal

    make = shutil.which("make")
    assert make, "`make` is not installed: the course's commands need it"
    port, token = _free_port(), secrets.token_hex(16)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "MAKE", "MFLAGS"))}
    env.update(JUPYTER_CONFIG_DIR=str(tmp / "config"), JUPYTER_RUNTIME_DIR=str(tmp / "runtime"),
               JUPYTERLAB_SETTINGS_DIR=str(tmp / "settings"), JUPYTERLAB_WORKSPACES_DIR=str(tmp / "workspaces"))
    args = (f"--no-browser --ip=127.0.0.1 --port={port} --ServerApp.port_retries=0 --IdentityProvider.token={token}"
            " --LabApp.news_url=None --LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    log_path = tmp / "server.log"
    log = open(log_path, "w")
    proc = subprocess.Popen([make, "--no-print-directory", "-o", ".venv/.installed", target, f"JUPYTER_ARGS={args}"],
                            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"

    def stop():
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(15)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        log.close()

    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
            break
        except Exception:
            if proc.poll() is not None or time.monotonic() > deadline:
                stop()
                pytest.fail(f"`make {target}` did not start a server:\n{log_path.read_text()[-3000:]}")
            time.sleep(0.25)
    return {"base": base, "token": token, "log": log_path, "stop": stop}


def _http_status(url):
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.status
    except urllib.error.HTTPError as exc:
        return exc.code


def _menu_names(page):
    """The top-level menus of the JupyterLab / Notebook 7 menu bar, once the application has started."""
    bar = page.locator(".lm-MenuBar-content").first
    bar.wait_for(state="visible", timeout=60_000)
    page.get_by_role("menuitem", name="File", exact=True).wait_for(timeout=30_000)
    time.sleep(2)  # plugins that add a menu activate after the menu bar appears
    return [t.strip() for t in bar.locator(".lm-MenuBar-itemLabel").all_inner_texts()]


def test_make_passes_allow_root_only_to_root():
    """`make -n` prints the commands: --allow-root exactly when the user is root, on all three servers."""
    for target in ("lab", "notebook", "instructor"):
        out = subprocess.run(["make", "-n", "--no-print-directory", "-o", ".venv/.installed", target], cwd=ROOT,
                             capture_output=True, text=True, check=True).stdout
        assert ("--allow-root" in out) == (os.geteuid() == 0), f"make {target} as uid {os.geteuid()}: {out}"
        if target != "instructor":
            assert "jupyter_config/learner" in out, f"make {target} does not use the learner's configuration: {out}"


@pytest.mark.parametrize("target", ["lab", "notebook"])
def test_make_learner_server_as_root(browser, target, tmp_path):
    """`make lab` / `make notebook` start (as root too), list the course, and show no nbgrader instructor tools."""
    server = _make_server(target, tmp_path)
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    try:
        page.goto(f"{server['base']}{MAKE_PAGES[target]}?token={server['token']}")
        menus = _menu_names(page)
        page.locator(".jp-DirListing-item").first.wait_for(timeout=30_000)
        listed = [t.strip() for t in page.locator(".jp-DirListing-item .jp-DirListing-itemText").all_inner_texts()]
        page.screenshot(path=str(ARTIFACTS / f"make_{target}.png"))
        assert set(COURSE_FOLDERS) <= set(listed), f"the file list shows {listed}, not the course {COURSE_FOLDERS}"
        assert "Nbgrader" not in menus, f"the learner's {target} has nbgrader's menu: {menus}"
        assert not page.get_by_text(re.compile("Formgrader|Create Assignment", re.I)).count()
        # nbgrader's server side is off too: its formgrader and assignment-list pages do not exist.
        for path in ("/formgrader", "/assignments", "/courses"):
            assert _http_status(f"{server['base']}{path}?token={server['token']}") == 404, path
    finally:
        page.close()
        server["stop"]()
    log = server["log"].read_text()
    assert NBGRADER_WARNING not in log, log
    assert "Running as root is not recommended" not in log, log
    assert "nbgrader" not in log.lower(), f"nbgrader extensions loaded in the learner's server:\n{log}"


def test_make_instructor_opens_formgrader(browser, tmp_path):
    """`make instructor`: nbgrader's menu and the formgrader on the course, with autograder/nbgrader_config.py."""
    server = _make_server("instructor", tmp_path)
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    try:
        page.goto(f"{server['base']}/lab?token={server['token']}")
        menus = _menu_names(page)
        assert "Nbgrader" in menus, f"no Nbgrader menu in the instructor's JupyterLab: {menus}"
        page.get_by_role("menuitem", name="Nbgrader", exact=True).click()
        page.get_by_role("menuitem", name="Formgrader", exact=True).click()
        frame = page.frame_locator("iframe").first
        # Manage Assignments lists the source assignments of solutions/ (nbgrader's source directory).
        for name in COURSE_FOLDERS:
            frame.get_by_text(name, exact=True).first.wait_for(timeout=30_000)
    finally:
        page.screenshot(path=str(ARTIFACTS / "make_instructor_formgrader.png"))
        page.close()
        server["stop"]()
    log = server["log"].read_text()
    assert NBGRADER_WARNING not in log, log
    assert "not a subdirectory of the notebook server root" not in log, log


def _figure_cells(path: Path) -> int:
    """Code cells that draw a matplotlib figure (plt.show() or a figure left as the cell's result)."""
    cells = json.loads(path.read_text())["cells"]
    return sum(cell["cell_type"] == "code" and "plt.show()" in "".join(cell["source"]) for cell in cells)


# Part IV's notebooks have no explorer: the learner runs them and reads their figures.
PLAIN_NOTEBOOKS = [ROOT / "solutions" / "12_networks" / "12_networks.ipynb"]


@pytest.mark.parametrize("server", [("lab", p) for p in PLAIN_NOTEBOOKS if p.exists()], indirect=True,
                         ids=lambda p: f"lab-{p[1].stem}")
def test_notebook_runs_in_browser(browser, server):
    """Run All in JupyterLab: every cell runs without an error and every figure is drawn."""
    front, name = server["front"], f"{server['front']}_{server['name']}"
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        page.goto(f"{server['base']}{FRONTENDS[front].format(name=name)}?token={server['token']}")
        page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)
        _wait_kernel_idle(server, name)
        page.get_by_role("menuitem", name="Run", exact=True).click()
        page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
        expected = _figure_cells(server["source"])
        assert expected > 0
        page.wait_for_function("n => document.querySelectorAll('.jp-RenderedImage img').length >= n",
                               arg=expected, timeout=180_000)
        time.sleep(1.0)
        _wait_kernel_idle(server, name, timeout=180.0)
        tracebacks = [t for t in page.locator("[data-mime-type='application/vnd.jupyter.stderr']").all_inner_texts()
                      if "Traceback" in t or "Error" in t]
        assert not tracebacks, "a cell failed:\n" + "\n".join(t[:2000] for t in tracebacks)
        assert not page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.error']").count()
        widths = page.eval_on_selector_all(".jp-RenderedImage img", "imgs => imgs.map(i => i.naturalWidth)")
        assert len(widths) >= expected and all(w > 0 for w in widths), widths
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"browser_{front}_{server['source'].stem}_page.png"))
        assert not errors, errors
    finally:
        page.close()
