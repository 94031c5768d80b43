"""The grader's shortcuts give what the long way gives (benchmarks/bench_grading.py times them).

* ``alembic_head()`` reads the gradebook schema's head from nbgrader's migration scripts:
  it must be what nbgrader finds by running ``alembic heads``;
* scratch gradebooks (a job's private course, a template being built) skip sqlite's flush
  per commit, the instructor's gradebook never does;
* ``font_list()`` is matplotlib's own font list built in a sandbox; a kernel's matplotlib
  uses it as it is (it writes no new one), and the learner cannot change it;
* a cached assignment template (release, gradebook, the library overlay) is reused only by
  the same library *and* grader code: changing which references are hidden builds anew;
* ``grade`` without ``--figures`` starts kernels in which a figure is shown as its text
  ("<Figure size ... with 1 Axes>"), not drawn, and closed at the end of the cell as usual.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

import nbgrader_helpers as h

g = h.grader()
import optimlab_batch  # noqa: E402  (autograder/ is on sys.path after h.grader())
import optimlab_sandbox  # noqa: E402


def test_alembic_head_is_what_nbgrader_finds():
    env_path = str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", "")
    from nbgrader.dbutil import _temp_alembic_ini
    with _temp_alembic_ini("sqlite:////tmp/gradebook.db") as ini:
        out = subprocess.check_output(["alembic", "-c", ini, "heads"], env=dict(os.environ, PATH=env_path))
    assert g.alembic_head() == out.decode().split("\n")[0].split(" ")[0]
    assert len(g.alembic_head()) == 12


def test_template_cache_key_covers_the_library_and_the_grader_code(tmp_path):
    import shutil

    copy = tmp_path / "autograder"
    shutil.copytree(h.REPO / "autograder", copy, ignore=shutil.ignore_patterns("workspace", "__pycache__"))

    def key():
        return subprocess.check_output([sys.executable, "-c", "import optimlab_batch; print(optimlab_batch._library_hash())"],
                                       cwd=copy, text=True, env=dict(os.environ, PYTHONPATH=str(copy))).strip()

    before = key()
    assert key() == before  # deterministic
    with open(copy / "optimlab_hide.py", "a") as f:  # e.g. a new entry in EQUIVALENTS
        f.write("\n# changed\n")
    assert key() != before


def test_scratch_gradebooks_skip_the_flush_the_instructors_keeps(tmp_path):
    from nbgrader.api import Gradebook

    optimlab_batch._scratch_gradebooks()
    scratch, kept = tmp_path / "scratch", tmp_path / "workspace"
    scratch.mkdir()
    kept.mkdir()
    optimlab_batch._SCRATCH.add(os.path.realpath(scratch))
    try:
        modes = {}
        for folder in (scratch, kept):
            with Gradebook(f"sqlite:///{folder / 'gradebook.db'}") as gb:
                gb.add_student("alice")
                with gb.engine.connect() as conn:
                    modes[folder.name] = conn.exec_driver_sql("PRAGMA synchronous").scalar()
    finally:
        optimlab_batch._SCRATCH.discard(os.path.realpath(scratch))
    assert modes == {"scratch": 0, "workspace": 2}  # OFF, and sqlite's default FULL


@pytest.mark.skipif(optimlab_sandbox.sandbox_problem() is not None,
                    reason=f"no sandbox here: {optimlab_sandbox.sandbox_problem()}")
def test_font_list_is_used_as_is_and_read_only(tmp_path, monkeypatch):
    monkeypatch.setenv("OPTIMLAB_GRADER_CACHE", str(tmp_path / "cache"))
    optimlab_sandbox.font_list.cache_clear()
    try:
        fonts = optimlab_sandbox.font_list()
    finally:
        optimlab_sandbox.font_list.cache_clear()
    assert fonts and Path(fonts).is_file() and Path(fonts).name.startswith("fontlist-v")
    built = json.loads(Path(fonts).read_text())
    assert built["ttflist"], "the font list names the fonts matplotlib found"
    code = (
        "import json, os\n"
        "d = os.environ['MPLCONFIGDIR']\n"
        "import matplotlib.font_manager as fm\n"
        "names = sorted(f.fname for f in fm.fontManager.ttflist)\n"
        "try:\n"
        f"    open(os.path.join(d, {Path(fonts).name!r}), 'w')\n"
        "    ro = False\n"
        "except OSError:\n"
        "    ro = True\n"
        "open(os.path.join(d, 'matplotlibrc.tmp'), 'w').close()  # the folder stays writable\n"
        "print(json.dumps({'names': names, 'read_only': ro, 'files': sorted(os.listdir(d))}))\n")
    with tempfile.TemporaryDirectory() as ipc:
        os.chmod(ipc, 0o777)
        cmd = optimlab_sandbox.wrap([sys.executable, "-c", code], ipc_dir=ipc, data_dir=None,
                                    fonts=fonts)
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""  # no "Matplotlib is building the font cache" or Fontconfig notes
    seen = json.loads(proc.stdout)
    assert seen["read_only"] is True
    # the list keeps matplotlib's own fonts relative to mpl-data/, the kernel sees them resolved
    assert sorted(map(os.path.basename, seen["names"])) == \
        sorted(os.path.basename(f["fname"]) for f in built["ttflist"])
    assert seen["files"] == sorted([Path(fonts).name, "matplotlibrc.tmp"])


def test_without_figures_a_kernel_shows_their_text_and_closes_them(tmp_path):
    from jupyter_client.manager import start_new_kernel

    paths = g.Paths(tmp_path / "ws", h.SOLUTIONS, tmp_path / "release")
    assert g.NO_FIGURES in g.load_config(paths, figures=False).Execute.extra_arguments
    assert g.NO_FIGURES not in g.load_config(paths, figures=True).Execute.extra_arguments
    assert g.NO_FIGURES not in g.load_config(paths).Execute.extra_arguments
    km, kc = start_new_kernel(kernel_name="python3", extra_arguments=[g.NO_FIGURES])
    try:
        outputs = []
        kc.execute_interactive(
            "import matplotlib.pyplot as plt\nfig, ax = plt.subplots(1, 2)\nax[0].plot([1, 2])\n"
            "plt.show()\nplt.figure()\nprint('open', len(plt.get_fignums()))",
            output_hook=lambda m: outputs.append(m), timeout=60)
        kc.execute_interactive("print('after the cell', len(plt.get_fignums()))",
                               output_hook=lambda m: outputs.append(m), timeout=60)
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    shown = [m["content"]["data"] for m in outputs if m["msg_type"] == "display_data"]
    text = "".join(m["content"].get("text", "") for m in outputs if m["msg_type"] == "stream")
    assert shown and all(set(d) == {"text/plain"} for d in shown)  # no image/png anywhere
    assert shown[0]["text/plain"] == "<Figure size 640x480 with 2 Axes>"
    assert "open 1" in text and "after the cell 0" in text  # show() closed the first, as inline does
