"""Grading a batch: one job per submission, run by N local workers or a Dask cluster.

A *job* is plain data (JSON): the assignment's source files (solutions/<assignment>/,
hidden tests included), the learner's notebooks as text, a valid timestamp or none, and
the options. ``grade_job(job)`` grades it in a throw-away nbgrader course of its own
(gradebook, release, submitted/ and autograded/ folders in a temporary folder) and
returns plain data: the autograded notebooks, the feedback HTML, nbgrader's log and the
tampering notes. Nothing it does touches the instructor's workspace: the process that
owns the workspace (optimlab_grader.py grade) records each result there itself
(``record``), one at a time, and writes a marker per submission once its grades are
committed, so that a batch killed half-way is resumed where it stopped.

``grade_job_isolated(job)`` runs ``grade_job`` in a grading process of its own (this
file's ``_serve`` loop; one per thread, reused), which dies with its parent: a worker
that crashes costs that submission only. Local batches call it from a thread pool (``run_local``); with
``--scheduler tcp://HOST:PORT`` the same function runs on the workers of a Dask
distributed cluster (``run_dask``).
"""
from __future__ import annotations

import base64
import hashlib
import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

JOB_FORMAT = 1
IGNORED = {".ipynb_checkpoints", "__pycache__", ".DS_Store"}


# --- jobs -------------------------------------------------------------------------

def source_files(source: Path, assignment: str) -> dict[str, str]:
    """solutions/<assignment>/ as {relative path: base64 bytes}."""
    folder = source / assignment
    files = {}
    for p in sorted(folder.rglob("*")):
        rel = p.relative_to(folder)
        if p.is_file() and not p.is_symlink() and not (set(rel.parts) & IGNORED):
            files[str(rel)] = base64.b64encode(p.read_bytes()).decode()
    return files


def digest(*parts) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(json.dumps(part, sort_keys=True).encode())
    return h.hexdigest()


def make_job(assignment: str, student: str, source: dict[str, str], notebooks: dict[str, str],
             timestamp: str | None, notes: list[str], options: dict) -> dict:
    job = {"format": JOB_FORMAT, "assignment": assignment, "student": student,
           "source": source, "source_hash": digest(source), "notebooks": notebooks,
           "timestamp": timestamp, "notes": notes, "options": options}
    job["key"] = digest(JOB_FORMAT, job["source_hash"], notebooks, timestamp, options)
    return job


# --- one job, in a worker ------------------------------------------------------------

def _cache_root() -> Path:
    from optimlab_sandbox import cache_root
    return cache_root()


# Folders whose gradebooks are scratch (a job's private course, a template being built):
# sqlite there runs without a disk flush per commit (nbgrader commits some twenty times
# per notebook), see _scratch_gradebooks. The instructor's gradebook is never one of them.
_SCRATCH: set[str] = set()


def _scratch_gradebooks() -> None:
    """Scratch gradebooks (in the folders of ``_SCRATCH``) skip sqlite's fsync per commit.

    They are thrown away after the job (a template's is flushed once before it is marked
    ready), so a crash can only lose a result that is graded again anyway.
    """
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    if getattr(_scratch_gradebooks, "done", False):
        return
    _scratch_gradebooks.done = True

    @event.listens_for(Engine, "connect")
    def _no_flush(dbapi_connection, _record):
        try:
            path = dbapi_connection.execute("PRAGMA database_list").fetchone()[2]
        except Exception:  # noqa: BLE001 - not sqlite, or in memory
            return
        if path and any(os.path.realpath(path).startswith(d + os.sep) for d in _SCRATCH):
            dbapi_connection.execute("PRAGMA synchronous=OFF")


TEMPLATE_FORMAT = 2


def _library_hash() -> str:
    """The optimlab package's sources and the grader's own (which references are hidden, how
    an assignment is generated): a template built by other code is not reused."""
    from optimlab_hide import package_dir

    h = hashlib.sha256()
    root = package_dir()
    for p in sorted(root.rglob("*")):
        if p.is_file() and "__pycache__" not in p.parts:
            h.update(str(p.relative_to(root)).encode())
            h.update(p.read_bytes())
    for p in sorted(Path(__file__).resolve().parent.glob("*.py")):
        h.update(p.name.encode())
        h.update(p.read_bytes())
    return h.hexdigest()


def _template(job: dict) -> Path:
    """A course folder with the assignment registered (generate_assignment), cached on
    disk by the source's hash and shared by the jobs of this machine."""
    import optimlab_grader as g

    root = _cache_root() / f"{job['assignment']}-{digest(TEMPLATE_FORMAT, job['source_hash'], _library_hash())[:20]}"
    if (root / "ready").exists():
        return root
    root.parent.mkdir(parents=True, exist_ok=True)
    build = Path(tempfile.mkdtemp(prefix="build-", dir=root.parent))
    _scratch_gradebooks()
    _SCRATCH.add(os.path.realpath(build))
    src = build / "source" / job["assignment"]
    for rel, data in job["source"].items():
        (src / rel).parent.mkdir(parents=True, exist_ok=True)
        (src / rel).write_bytes(base64.b64decode(data))
    paths = g.Paths(build / "workspace", build / "source", build / "workspace" / "release")
    g.check(g.make_api(paths).generate_assignment(job["assignment"], force=True, create=True),
            f"nbgrader generate_assignment {job['assignment']}")
    hidden = _hide_references(src, build / "lib")
    (build / "hidden.json").write_text(json.dumps(hidden))
    _SCRATCH.discard(os.path.realpath(build))
    with open(build / "workspace" / "gradebook.db", "rb+") as db:
        os.fsync(db.fileno())  # the one flush its commits skipped: the template is kept
    (build / "ready").write_text("ok")
    try:
        os.rename(build, root)
    except OSError:  # another worker was quicker: use theirs
        shutil.rmtree(build, ignore_errors=True)
    return root


def _hide_references(source: Path, lib: Path) -> list[str]:
    """The library the sandbox sees: optimlab with this assignment's references stubbed."""
    import nbformat
    from optimlab_hide import build_overlay, equivalents, references
    from optimlab_remote import parse_test_cell

    calls = []
    for nb_path in sorted(source.glob("*.ipynb")):
        for cell in nbformat.read(str(nb_path), as_version=4).cells:
            meta = cell.get("metadata", {}).get("nbgrader", {})
            if cell.cell_type == "code" and meta.get("grade") and not meta.get("solution"):
                calls += parse_test_cell(cell.source) or []
    lib.mkdir(parents=True)
    return build_overlay(references(calls), lib, equivalents(calls))




def grade_job(job: dict) -> dict:
    """Autograde one submission in a private course folder; return plain data."""
    import nbformat
    import optimlab_grader as g
    from optimlab_preprocessors import for_learners
    from optimlab_trust import rebuild

    started = time.monotonic()
    a, student, opts = job["assignment"], job["student"], job["options"]
    template = _template(job)
    notes = list(job.get("notes", []))
    with tempfile.TemporaryDirectory(prefix="optimlab-job-") as tmp:
        _scratch_gradebooks()
        _SCRATCH.add(os.path.realpath(tmp))
        ws = Path(tmp) / "workspace"
        shutil.copytree(template / "workspace", ws)
        paths = g.Paths(ws, template / "source", ws / "release")
        sub = ws / "submitted" / student / a
        sub.mkdir(parents=True)
        for name, text in job["notebooks"].items():
            release = ws / "release" / a / f"{name}.ipynb"
            try:
                nb = nbformat.reads(text, as_version=4)
            except Exception:  # noqa: BLE001 - unreadable: nbgrader reports it below
                (sub / f"{name}.ipynb").write_text(text)
                continue
            nb, found = rebuild(g.read_nb(release), nb)
            notes += [f"{name}: {n}" if len(job["notebooks"]) > 1 else n for n in found]
            nbformat.write(nb, str(sub / f"{name}.ipynb"))
        if job.get("timestamp"):
            (sub / "timestamp.txt").write_text(job["timestamp"])
        api = g.make_api(paths, timeout=opts.get("timeout"),
                         notebook_timeout=opts.get("notebook_timeout"),
                         sandbox=opts.get("sandbox", True), overlay=str(template / "lib"),
                         figures=opts.get("figures", True))
        result = api.autograde(a, student, force=True, create=True)
        out = {"key": job["key"], "assignment": a, "student": student,
               "success": bool(result.get("success")),
               "log": result.get("log", "") + result.get("error", ""),
               "notes": notes, "autograded": {}, "feedback": {}, "feedback_log": ""}
        graded = ws / "autograded" / student / a
        if graded.is_dir():
            out["autograded"] = {p.name: p.read_text() for p in graded.glob("*.ipynb")}
            for p in graded.glob("*.ipynb"):  # what the learner will read (the instructor keeps all)
                nbformat.write(for_learners(nbformat.read(str(p), as_version=4)), str(p))
        if out["success"] and opts.get("feedback", True):
            fb = api.generate_feedback(a, student, force=True)
            out["feedback_log"] = fb.get("log", "") + fb.get("error", "")
            folder = ws / "feedback" / student / a
            if folder.is_dir():
                out["feedback"] = {p.name: p.read_text() for p in folder.glob("*.html")}
        _SCRATCH.discard(os.path.realpath(tmp))
    out["seconds"] = round(time.monotonic() - started, 3)
    return out


def _die_with_parent() -> None:
    """preexec_fn: SIGKILL this child when the grader that started it dies (Linux)."""
    try:
        import ctypes
        import signal

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except Exception:  # noqa: BLE001 - not Linux: the worker may outlive a killed grader
        pass


class _Worker:
    """A grading process that serves jobs one at a time (``_serve``) and dies with its
    parent. Starting Python with nbgrader costs seconds; a worker pays it once, and is
    replaced after a crash (costing that one job) or after ``RECYCLE`` jobs."""

    RECYCLE = 40

    def __init__(self):
        self.proc, self.served, self.log = None, 0, None

    def _start(self) -> None:
        self.log = tempfile.TemporaryFile(mode="w+")
        self.proc = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), "_serve"], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=self.log, text=True, cwd=str(HERE),
            env=dict(os.environ, PYTHONUNBUFFERED="1"), preexec_fn=_die_with_parent)
        self.served = 0

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()
        self.proc = None

    def run(self, job: dict, timeout: float | None) -> dict:
        if self.proc is None or self.proc.poll() is not None or self.served >= self.RECYCLE:
            self.stop()
            self._start()
        with tempfile.TemporaryDirectory(prefix="optimlab-worker-") as tmp:
            job_file, result_file = Path(tmp) / "job.json", Path(tmp) / "result.json"
            job_file.write_text(json.dumps(job))
            timer = None
            if timeout:
                import threading
                timer = threading.Timer(timeout, self.stop)
                timer.start()
            try:
                self.proc.stdin.write(f"{job_file}\t{result_file}\n")
                self.proc.stdin.flush()
                self.proc.stdout.readline()  # "" if the worker died
            except (OSError, ValueError, AttributeError):
                pass
            finally:
                if timer:
                    timer.cancel()
            self.served += 1
            if result_file.exists():
                return json.loads(result_file.read_text())
        code = self.proc.poll() if self.proc is not None else "killed after the job timeout"
        err = ""
        if self.log is not None:
            self.log.seek(0)
            err = self.log.read()[-4000:]
        self.stop()
        return {"key": job["key"], "assignment": job["assignment"], "student": job["student"],
                "success": False, "notes": job.get("notes", []), "autograded": {},
                "feedback": {}, "feedback_log": "", "seconds": None,
                "log": f"[worker] the grading process ended without a result ({code})\n{err}"}


_local = __import__("threading").local()


def grade_job_isolated(job: dict, timeout: float | None = None) -> dict:
    """``grade_job`` in a separate grading process (one per calling thread, reused);
    a crash of that process fails this job only."""
    worker = getattr(_local, "worker", None)
    if worker is None:
        worker = _local.worker = _Worker()
    return worker.run(job, timeout)


def _worker_main(job_file: str, result_file: str) -> int:
    logging.basicConfig(level=logging.ERROR)
    job = json.loads(Path(job_file).read_text())
    try:
        result = grade_job(job)
    except Exception as exc:  # noqa: BLE001 - reported as this submission's error
        import traceback
        result = {"key": job["key"], "assignment": job["assignment"], "student": job["student"],
                  "success": False, "notes": job.get("notes", []), "autograded": {},
                  "feedback": {}, "feedback_log": "", "seconds": None,
                  "log": f"{type(exc).__name__}: {exc}\n{traceback.format_exc()}"}
    tmp = Path(result_file).with_suffix(".part")
    tmp.write_text(json.dumps(result))
    os.replace(tmp, result_file)
    return 0


def _serve() -> int:
    """Worker loop: read "JOB<TAB>RESULT" lines, grade, answer on the protocol pipe."""
    proto = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)  # whatever nbgrader prints goes to the log, not into the protocol
    # import while the grader prepares the batch: the first job does not wait for it
    import optimlab_grader  # noqa: F401  (first: it keeps jsonschema's slow IRI checker out)
    import nbgrader.apps  # noqa: F401
    import optimlab_trust  # noqa: F401
    for line in sys.stdin:
        job_file, _, result_file = line.rstrip("\n").partition("\t")
        _worker_main(job_file, result_file)
        proto.write("done\n")
        proto.flush()
    return 0


# --- running a batch -------------------------------------------------------------

def interleave(jobs: list[dict]) -> list[dict]:
    """The jobs taken one assignment at a time in turn: the workers' first jobs are of
    different assignments, so each builds its assignment's course folder (``_template``)
    once, in parallel, instead of two workers building the same one."""
    by_assignment: dict[str, list[dict]] = {}
    for job in jobs:
        by_assignment.setdefault(job["assignment"], []).append(job)
    queues = list(by_assignment.values())
    out = []
    while any(queues):
        for q in queues:
            if q:
                out.append(q.pop(0))
    return out


def start_workers(n: int) -> list[_Worker]:
    """Start `n` grading processes now, so that they import nbgrader while the grader
    prepares the batch (``run_local`` uses them)."""
    workers = [_Worker() for _ in range(max(1, n))]
    for w in workers:
        w._start()
    return workers


def run_local(jobs: list[dict], workers: int | list, on_result,
              job_timeout: float | None = None) -> None:
    """Grade `jobs` with `workers` processes at a time (a number, or ``start_workers``'
    list); call on_result(job, result) in this thread as each finishes."""
    import queue

    pool_of = workers if isinstance(workers, list) else [_Worker() for _ in range(max(1, workers))]
    free: queue.Queue = queue.Queue()
    for w in pool_of:
        free.put(w)
    workers_made = list(pool_of)
    if not jobs:
        for w in workers_made:
            w.stop()
        return

    def run(job):
        if getattr(_local, "worker", None) is None:
            _local.worker = free.get()
        return grade_job_isolated(job, job_timeout)

    try:
        with ThreadPoolExecutor(max_workers=len(pool_of)) as pool:
            futures = {pool.submit(run, job): job for job in jobs}
            for fut in as_completed(futures):
                on_result(futures[fut], fut.result())
    finally:
        for w in workers_made:
            w.stop()


_DASK_TASK = """
def grade_on_worker(job, timeout, autograder):
    import sys
    if autograder not in sys.path:
        sys.path.insert(0, autograder)
    import optimlab_batch
    return optimlab_batch.grade_job_isolated(job, timeout)
"""


def run_dask(jobs: list[dict], scheduler: str, on_result, job_timeout: float | None = None) -> None:
    """The same on the workers of a Dask distributed cluster (`scheduler` = tcp://HOST:PORT).

    Each worker needs this checkout (or the same autograder/ folder and environment) at
    the same path, and bubblewrap; see autograder/README.md.
    """
    if not jobs:
        return
    try:
        from distributed import Client, as_completed as dask_completed
    except ImportError as exc:
        raise RuntimeError("--scheduler needs dask's `distributed` package "
                           "(pip install 'distributed')") from exc
    # The task is pickled by value (a function of __main__ for cloudpickle): the workers
    # need this checkout's autograder/ folder at the same path, not this module importable.
    namespace = {"__name__": "__main__"}
    exec(_DASK_TASK, namespace)
    task = namespace["grade_on_worker"]
    with Client(scheduler, timeout="20s") as client:
        futures = {}
        for job in jobs:
            # pure=False: a resubmitted job is graded again, never taken from a cache
            fut = client.submit(task, job, job_timeout, str(HERE), pure=False,
                                key=f"grade-{job['student']}-{job['assignment']}-{job['key'][:12]}",
                                retries=1)
            futures[fut] = job
        for fut in dask_completed(futures):
            try:
                result = fut.result()
            except Exception as exc:  # noqa: BLE001 - a lost worker: this job fails
                job = futures[fut]
                result = {"key": job["key"], "assignment": job["assignment"],
                          "student": job["student"], "success": False,
                          "notes": job.get("notes", []), "autograded": {}, "feedback": {},
                          "feedback_log": "", "seconds": None,
                          "log": f"[dask] {type(exc).__name__}: {exc}"}
            on_result(futures[fut], result)


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "_worker":
        sys.exit(_worker_main(sys.argv[2], sys.argv[3]))
    if len(sys.argv) == 2 and sys.argv[1] == "_serve":
        sys.exit(_serve())
    print("usage: optimlab_batch.py _worker JOB.json RESULT.json (internal)", file=sys.stderr)
    sys.exit(2)
