"""Adversarial and faulty submissions of the momentum exercises, and what they must score.

Each entry of ATTACKS is one student's submission of a compact copy of assignment
04_momentum (its import cell, the three answer cells and their test cells; points: ema 2,
momentum_step 2, heavy_ball_step 1, total 5), graded by the real pipeline in
tests/test_grader_security.py, all in one batch with three honest students.

An attack that *worked* would earn the points: where it reads a solution, a peer's
notebook or the network, it fills in the correct answers; where it patches the checks, its
answers are wrong. So the expected score says the attack failed. Keys:

    answers   exercise -> source of its answer cell (else the release's unfinished stub)
    honest    exercises answered with the solution code (before `answers` apply)
    before    source of an extra ordinary cell put before the first answer cell
    after     source of an extra ordinary cell put at the end
    edit      a function(nb) -> None that tampers with the notebook (cells, metadata)
    files     extra files in the submission folder {name: text}
    score     the total it must get (of 5)
    status    the submissions.csv status it must get (default: any)
    text      a text the exercise messages or feedback must contain
    tamper    a text the tampering column must contain

Placeholders filled in by the test: {REPO} the checkout, {WS} the grading workspace,
{PORT} a TCP port on 127.0.0.1 that serves the solution notebook, {TOKEN} a random word
the detached process carries in its command line.
"""
from __future__ import annotations

# Fills in every answer from a notebook's JSON text (a stolen solution or a peer's work).
STEAL = r'''
def __steal(text):
    import json, re
    nb = json.loads(text)
    for c in nb["cells"]:
        m = c.get("metadata", {}).get("nbgrader", {})
        if m.get("solution") and not m.get("grade"):
            src = "".join(c["source"]) if isinstance(c["source"], list) else c["source"]
            src = re.sub(r"### (BEGIN|END) SOLUTION", "", src)
            if "NotImplementedError" not in src:
                exec(src, globals())
'''

WRONG = {
    "ema": "def ema(values, beta):\n    return np.asarray(values, dtype=float)\n",
    "momentum_step": "def momentum_step(w, v, g, lr, beta):\n    return w, v\n",
    "heavy_ball_step": "def heavy_ball_step(w, v, g, lr, mu):\n    return w - lr * g, g\n",
}
ALL_WRONG = dict(WRONG)


def _wrong_with(prefix: str, exercise: str = "ema") -> dict:
    """All answers wrong; `prefix` put at the top of `exercise`'s answer cell."""
    answers = dict(WRONG)
    answers[exercise] = prefix + "\n" + WRONG[exercise]
    return answers


def _edit_test_cells(nb):
    for c in nb.cells:
        if c.metadata.get("nbgrader", {}).get("grade"):
            c.source = "pass  # the checks are gone"


def _delete_test_cells(nb):
    nb.cells = [c for c in nb.cells if not c.metadata.get("nbgrader", {}).get("grade")]


def _extra_graded_cell(nb):
    import copy
    test = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade"))
    extra = copy.deepcopy(test)
    extra.metadata["nbgrader"]["grade_id"] = "my_bonus_points"
    extra.metadata["nbgrader"]["points"] = 50
    extra.source = "print('free points')"
    nb.cells.append(extra)


def _duplicate_answer(nb):
    import copy
    answer = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "ema")
    dup = copy.deepcopy(answer)
    dup.source = "def my_other_ema(values, beta):\n    return values\n"
    nb.cells.append(dup)


def _inflate_points(nb):
    for c in nb.cells:
        meta = c.metadata.get("nbgrader", {})
        if meta.get("grade"):
            meta["points"] = 100
        elif meta.get("solution"):
            meta["grade"], meta["points"] = True, 50


def _answer_cell_as_markdown(nb):
    for c in nb.cells:
        if c.metadata.get("nbgrader", {}).get("grade_id") == "heavy_ball_step":
            c.cell_type = "markdown"
            c.pop("outputs", None)
            c.pop("execution_count", None)


ATTACKS = [
    # --- patching the comparison, the checks, IPython ------------------------------
    {"name": "patch-allclose", "score": 0, "answers": _wrong_with(
        "np.allclose = lambda *a, **k: True\nnp.array_equal = lambda *a, **k: True\n"
        "np.isclose = lambda a, b, *r, **k: np.ones(np.broadcast(a, b).shape, dtype=bool)\n"
        "np.testing.assert_allclose = lambda *a, **k: None")},
    {"name": "patch-numpy-internals", "score": 0, "answers": _wrong_with(
        "import numpy.core.numeric as _n\n_n.isclose = lambda *a, **k: True\n"
        "_n.allclose = lambda *a, **k: True\nnp.abs = lambda x: np.zeros_like(x)\n"
        "np.max = lambda *a, **k: 0.0")},
    {"name": "replace-check-functions", "score": 0, "answers": _wrong_with(
        "import optimlab.checks.momentum as _m\n"
        "_m.check_ema = _m.check_momentum_step = _m.check_heavy_ball_step = lambda *a, **k: None")},
    {"name": "replace-engine", "score": 0, "answers": _wrong_with(
        "import optimlab.checks.engine as _e\n"
        "_e.check_function = _e.check_steps = lambda *a, **k: None\n"
        "_e.ExerciseFailure = type('Quiet', (Exception,), {})")},
    {"name": "swap-sys-modules", "score": 0, "answers": _wrong_with(
        "import sys, types, optimlab.checks\n"
        "_fake = types.ModuleType('optimlab.checks.momentum')\n"
        "_fake.check_ema = _fake.check_momentum_step = _fake.check_heavy_ball_step = lambda *a, **k: None\n"
        "sys.modules['optimlab.checks.momentum'] = _fake\noptimlab.checks.momentum = _fake")},
    {"name": "input-transformer", "score": 0, "answers": _wrong_with(
        "get_ipython().input_transformers_cleanup.append(lambda lines: ['pass\\n'])")},
    {"name": "custom-exc-swallows", "score": 0, "answers": _wrong_with(
        "get_ipython().set_custom_exc((BaseException,), lambda *a, **k: None)")},
    {"name": "fake-package-in-cwd", "score": 0, "answers": _wrong_with(
        "import os, sys\nos.makedirs('optimlab/checks', exist_ok=True)\n"
        "open('optimlab/__init__.py', 'w').write('')\n"
        "open('optimlab/checks/__init__.py', 'w').write('')\n"
        "open('optimlab/checks/momentum.py', 'w').write("
        "'def check_ema(*a, **k): pass\\ncheck_momentum_step = check_heavy_ball_step = check_ema\\n')\n"
        "for _k in [k for k in sys.modules if k.startswith('optimlab')]:\n    del sys.modules[_k]\n"
        "sys.path.insert(0, os.getcwd())")},
    {"name": "fake-package-side-file", "score": 0, "answers": dict(WRONG),
     "files": {"optimlab/__init__.py": "",
               "optimlab/checks/__init__.py": "",
               "optimlab/checks/momentum.py": "def check_ema(*a, **k): pass\n"
                                              "check_momentum_step = check_heavy_ball_step = check_ema\n"}},
    {"name": "rpc-forgery", "score": 0, "answers": _wrong_with(
        "import json, builtins\n_real = json.dumps\n"
        "json.dumps = lambda o, *a, **k: _real({'ok': {'t': 'v', 'v': None}} if isinstance(o, dict) and 'ok' in o else o, *a, **k)\n"
        "__optimlab_rpc__ = None\nbuiltins.input = lambda *a: '{}'")},
    # --- using the reference ---------------------------------------------------------
    {"name": "delegate-to-library", "score": 0, "text": "not available while the notebook is graded",
     "answers": {"ema": "def ema(values, beta):\n    return reference_ema(values, beta)\n",
                 "momentum_step": "def momentum_step(w, v, g, lr, beta):\n"
                                  "    return optimlab.momentum_step(w, v, g, lr, beta)\n",
                 "heavy_ball_step": "def heavy_ball_step(w, v, g, lr, mu):\n"
                                    "    return optimlab.optimizers.heavy_ball_step(w, v, g, lr, mu)\n"}},
    # a library function of another name that computes the answer for one choice of its arguments
    {"name": "delegate-to-equivalent", "score": 0, "text": "called this way, computes",
     "answers": {"ema": "from optimlab import frame as _f\n"
                        "def ema(values, beta):\n    m, out = 0.0, []\n"
                        "    for x in np.asarray(values, dtype=float):\n"
                        "        m, _ = _f.first_moment('sgdm', m, x, 1, beta)\n        out.append(float(m))\n"
                        "    return np.array(out)\n",
                 "momentum_step": "from optimlab import frame as _f\n"
                                  "def momentum_step(w, v, g, lr, beta):\n"
                                  "    return _f.frame_step(w, v, np.ones_like(w), g, 1, lr, 'sgdm', beta1=beta)[:2]\n"}},
    {"name": "delegate-to-check-module", "score": 0, "text": "reference answer of an exercise being graded",
     "answers": {"ema": "from optimlab.checks import momentum as _c\n"
                        "def ema(values, beta):\n    return _c.reference_ema(values, beta)\n",
                 "momentum_step": "def momentum_step(w, v, g, lr, beta):\n"
                                  "    return _c._ref_momentum_step(w, v, g, lr, beta)\n",
                 "heavy_ball_step": "def heavy_ball_step(w, v, g, lr, mu):\n"
                                    "    return _c._ref_heavy_ball_step(w, v, g, lr, mu)\n"}},
    {"name": "delegate-through-registry", "score": 0,
     "answers": dict(WRONG, momentum_step=(
         "def momentum_step(w, v, g, lr, beta):\n    opt = optimlab.make('momentum', lr=lr, beta=beta)\n"
         "    out, state = opt.update(w, g, {'v': v})\n    return out, state['v']\n"))},
    {"name": "reference-from-call-stack", "score": 0, "answers": {
        ex: (f"def {ex}(*args):\n    import inspect\n    for f in inspect.stack():\n"
             f"        for k in ('reference', 'ref', 'expected_fn'):\n"
             f"            r = f.frame.f_locals.get(k)\n"
             f"            if callable(r):\n                return r(*args)\n"
             f"    return {'args[0]' if ex == 'ema' else '(args[0], args[1])'}\n")
        for ex in ("ema", "momentum_step", "heavy_ball_step")}},
    {"name": "lying-array-object", "score": 0, "answers": {
        "ema": ("class _Liar:\n    def __eq__(self, other):\n        return True\n"
                "    def __array__(self, dtype=None, copy=None):\n        import sys\n"
                "        f = sys._getframe(1)\n        while f is not None:\n"
                "            for k in ('expected', 'want', 'ref_out'):\n"
                "                if k in f.f_locals:\n                    return np.asarray(f.f_locals[k])\n"
                "            f = f.f_back\n        return np.zeros(5)\n"
                "def ema(values, beta):\n    return _Liar()\n"),
        "momentum_step": WRONG["momentum_step"], "heavy_ball_step": WRONG["heavy_ball_step"]}},
    # --- reading what it should not -------------------------------------------------------
    {"name": "read-solutions-from-disk", "score": 0, "answers": _wrong_with(
        STEAL + "for _p in ['{REPO}/solutions/04_momentum/04_momentum.ipynb',\n"
                "           '../../../solutions/04_momentum/04_momentum.ipynb']:\n"
                "    try:\n        __steal(open(_p).read())\n    except Exception:\n        pass",
        "heavy_ball_step")},
    {"name": "search-filesystem-for-solutions", "score": 0, "answers": _wrong_with(
        STEAL + "import os\nfor _root in ['/work', '/root', '/home', '/tmp', '/srv', '/mnt', '/scratch', '/']:\n"
                "    for _d, _dirs, _files in os.walk(_root):\n"
                "        _dirs[:] = [x for x in _dirs if x not in ('proc', 'sys', 'usr', 'dev', 'site-packages', '.pyenv', 'lib')]\n"
                "        for _f in _files:\n            if _f.endswith('.ipynb'):\n"
                "                try:\n                    _t = open(os.path.join(_d, _f)).read()\n"
                "                    if 'BEGIN SOLUTION' in _t or 'v = beta * v' in _t:\n"
                "                        __steal(_t)\n                except Exception:\n"
                "                    pass", "heavy_ball_step")},
    {"name": "copy-a-peer", "score": 0, "answers": _wrong_with(
        STEAL + "import glob\nfor _p in glob.glob('{WS}/*/honest1/*/*.ipynb') + glob.glob('/tmp/**/honest1/**/*.ipynb', recursive=True):\n"
                "    try:\n        __steal(open(_p).read())\n    except Exception:\n        pass",
        "heavy_ball_step")},
    {"name": "read-grader-environment", "score": 0, "answers": _wrong_with(
        STEAL + "import os\nfor _k, _v in os.environ.items():\n"
                "    if 'BEGIN SOLUTION' in _v:\n        __steal(_v)\n"
                "for _pid in os.listdir('/proc'):\n    try:\n"
                "        _t = open(f'/proc/{_pid}/environ', 'rb').read().decode(errors='replace')\n"
                "        for _kv in _t.split('\\0'):\n            if 'BEGIN SOLUTION' in _kv:\n"
                "                __steal(_kv.partition('=')[2])\n    except Exception:\n        pass",
        "heavy_ball_step")},
    {"name": "network-to-the-grader-host", "score": 0, "answers": _wrong_with(
        STEAL + "import socket\nfor _host in ['127.0.0.1', 'host.docker.internal', '10.0.2.2', '172.17.0.1']:\n"
                "    try:\n        _s = socket.create_connection((_host, {PORT}), timeout=2)\n"
                "        _data = b''\n        while True:\n            _chunk = _s.recv(65536)\n"
                "            if not _chunk:\n                break\n            _data += _chunk\n"
                "        __steal(_data.decode())\n        break\n    except Exception:\n        pass",
        "heavy_ball_step")},
    {"name": "network-to-the-internet", "score": 0, "answers": _wrong_with(
        "import socket, urllib.request\ntry:\n    socket.getaddrinfo('pypi.org', 443)\n"
        "    urllib.request.urlopen('https://pypi.org', timeout=3)\n"
        "    raise SystemExit('the network is reachable from a submission')\nexcept OSError:\n    pass")},
    # --- harming others ---------------------------------------------------------------------
    {"name": "write-the-gradebook", "score": 0, "answers": _wrong_with(
        "import sqlite3, glob\nfor _db in glob.glob('{WS}/gradebook.db') + glob.glob('/work/*/autograder/workspace/gradebook.db'):\n"
        "    try:\n        _c = sqlite3.connect(_db)\n"
        "        _c.execute('UPDATE grade SET auto_score = 100')\n        _c.commit()\n"
        "    except Exception:\n        pass")},
    {"name": "overwrite-a-peer", "score": 0, "answers": _wrong_with(
        "import glob, os\nfor _p in glob.glob('{WS}/*/honest2/*/*'):\n"
        "    try:\n        open(_p, 'w').write('{}')\n    except Exception:\n        pass\n"
        "for _p in glob.glob('{WS}/exports/*.csv'):\n    try:\n        open(_p, 'w').write('')\n"
        "    except Exception:\n        pass")},
    {"name": "patch-the-library-for-later-students", "score": 0, "answers": _wrong_with(
        "import optimlab, os\n_d = os.path.dirname(optimlab.__file__)\n"
        "for _f in ['checks/momentum.py', 'checks/engine.py', '__init__.py']:\n"
        "    try:\n        open(os.path.join(_d, _f), 'a').write('\\nraise SystemExit(\"sabotaged\")\\n')\n"
        "    except Exception:\n        pass\n"
        "try:\n    open('{REPO}/source_lib/optimlab/checks/momentum.py', 'a').write('\\n# sabotaged\\n')\n"
        "except Exception:\n    pass")},
    {"name": "detached-process-outlives-kernel", "score": 0, "answers": _wrong_with(
        "import subprocess, sys\n"
        "subprocess.Popen([sys.executable, '-c', 'import time, glob\\n# {TOKEN}\\n'\n"
        "                  'time.sleep(25)\\n'\n"
        "                  'for p in glob.glob(\"{WS}/*/honest3/*/*\"):\\n'\n"
        "                  '    open(p, \"w\").write(\"\")\\n'],\n"
        "                 start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n"
        "import os\nif os.fork() == 0:\n    os.setsid()\n    if os.fork() == 0:\n"
        "        os.execv('/bin/sleep', ['sleep', '120', '{TOKEN}'])\n    os._exit(0)")},
    {"name": "kill-the-grader", "score": 0, "answers": _wrong_with(
        "import os, signal\nfor _pid in [os.getppid(), 1]:\n    try:\n        os.kill(_pid, signal.SIGKILL)\n"
        "    except Exception:\n        pass")},
    {"name": "kill-every-process", "score": 0, "answers": _wrong_with(
        "import os, signal\nos.kill(-1, signal.SIGKILL)")},
    # --- faults --------------------------------------------------------------------------------
    {"name": "kills-its-own-kernel", "score": 4, "status": "kernel died",
     "honest": ["ema", "momentum_step"],
     "answers": {"heavy_ball_step": "import os\nos.kill(os.getpid(), 9)\n"}},
    {"name": "os-exit", "score": 4, "status": "kernel died", "honest": ["ema", "momentum_step"],
     "answers": {"heavy_ball_step": "import os\nos._exit(0)\n"}},
    {"name": "memory-bomb", "score": 3, "text": "MemoryError", "honest": ["momentum_step", "heavy_ball_step"],
     "answers": {"ema": "_hog = bytearray(3 * 2**30)\n" + WRONG["ema"]}},
    {"name": "output-flood", "score": 5, "honest": ["ema", "momentum_step", "heavy_ball_step"],
     "after": "for _ in range(2000):\n    print('x' * 100_000)\n"},
    {"name": "infinite-loop-in-function", "score": 3, "status": "timeout",
     "honest": ["momentum_step", "heavy_ball_step"],
     "answers": {"ema": "def ema(values, beta):\n    while True:\n        pass\n"}},
    {"name": "ignores-interrupt", "score": 4, "status": "timeout", "honest": ["ema", "momentum_step"],
     "answers": {"heavy_ball_step": "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\n"
                                    "def heavy_ball_step(w, v, g, lr, mu):\n    while True:\n        pass\n"}},
    {"name": "too-many-processes", "score": 5, "honest": ["ema", "momentum_step", "heavy_ball_step"],
     "before": "import subprocess\n_procs = []\ntry:\n    for _ in range(3000):\n"
               "        _procs.append(subprocess.Popen(['sleep', '3']))\nexcept OSError as e:\n"
               "    print('stopped after', len(_procs), 'processes:', e)\n"},
    {"name": "huge-return-value", "score": 3, "honest": ["momentum_step", "heavy_ball_step"],
     "answers": {"ema": "def ema(values, beta):\n    return np.ones(20_000_000)\n"}},
    {"name": "answer-cell-turned-markdown", "score": 5, "honest": ["ema", "momentum_step", "heavy_ball_step"],
     "edit": _answer_cell_as_markdown, "tamper": "changed type"},
    # --- honest students with odd files or edits ------------------------------------------------
    {"name": "garbage-timestamp", "score": 5, "honest": ["ema", "momentum_step", "heavy_ball_step"],
     "files": {"timestamp.txt": "last tuesday, around noon \x00\x01"}, "tamper": "timestamp.txt"},
    {"name": "extra-graded-cell", "score": 5, "honest": ["ema", "momentum_step", "heavy_ball_step"],
     "edit": _extra_graded_cell, "tamper": "extra graded cell"},
    {"name": "edited-test-cells", "score": 0, "answers": dict(WRONG), "edit": _edit_test_cells,
     "tamper": "edited (restored)"},
    {"name": "deleted-test-cells", "score": 5, "honest": ["ema", "momentum_step", "heavy_ball_step"],
     "edit": _delete_test_cells, "tamper": "deleted (restored)"},
    {"name": "duplicate-grade-id", "score": 5, "honest": ["ema", "momentum_step", "heavy_ball_step"],
     "edit": _duplicate_answer, "tamper": "duplicate cell id"},
    {"name": "inflated-points", "score": 5, "honest": ["ema", "momentum_step", "heavy_ball_step"],
     "edit": _inflate_points, "tamper": "metadata edited"},
]
