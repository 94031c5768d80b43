"""Build the rendered edition of the course: static HTML pages with outputs (``make site``).

Every notebook in ``course/`` (the released, learner versions) is executed with nbclient, from its own folder in
a copy of ``course/`` taken when the build starts, the way a visitor who runs all cells sees it:

* the exercises are not done, so each demo cell falls back to the reference implementation
  (``optimlab.checks.implemented_or_reference`` prints a note saying so) and each check cell fails with the
  checks' message; errors never stop the build (``allow_errors``), every cell runs;
* ``OPTIMLAB_STATIC=1``: every explorer shows the static PNG of its default state (no widget JavaScript);
* formulas are typeset in the reader's browser by MathJax 3.2.2 (SVG output, one script file), copied from
  the ``django-static-mathjax`` package into ``_static/``: nothing is loaded from a CDN, and the pages work
  from a web server or straight from the disk (``file://``).

The pages mirror ``course/`` (``<id>/<notebook>.html``, links between notebooks rewritten from ``.ipynb``), and
``index.html`` lists them in order; ``build_report.json`` records each run (seconds, figures, cell errors).
Each page has a bar linking to the index, the previous and the next page.
Markdown files in ``course/`` (``*.md``) become pages too; images next to the notebooks are copied.

    python scripts/build_site.py [--out build/site] [--jobs 2] [--timeout 120] [NOTEBOOK ...]

Given notebooks, only their pages are rebuilt (the index and the navigation still cover the whole course).

Exits with status 1 if a notebook could not be executed to its end (a dead kernel, a cell interrupted after
``--timeout`` seconds); the page is still written with the outputs it got.
"""
from __future__ import annotations

import argparse
import functools
import json
import os
import re
import shutil
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COURSE = ROOT / "course"
DEFAULT_OUT = ROOT / "build" / "site"
TEMPLATE_DIR = Path(__file__).resolve().parent / "site_template"
MATHJAX_FILE = "tex-svg-full.js"
REPORT = "build_report.json"
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp"}
SITE_TITLE = "optimlab — the optimization algorithms of deep learning, step by step"


@dataclass
class Page:
    source: Path            # course/<id>/<name>.ipynb (or .md)
    rel: Path               # <id>/<name>.html, relative to the output folder
    title: str = ""
    summary: str = ""
    report: dict = field(default_factory=dict)


def find_sources(course: Path, only: list[str] | None = None) -> list[Path]:
    """The notebooks and markdown pages of the course, in course order (numbered names first); ``only``: these."""
    found = [p for p in course.rglob("*") if p.suffix in (".ipynb", ".md") and p.is_file()
             and ".ipynb_checkpoints" not in p.parts and p.name.lower() != "readme.md"]
    if only:
        wanted = {Path(o).resolve() for o in only}
        missing = wanted - {p.resolve() for p in found}
        if missing:
            raise SystemExit(f"not a notebook of {course}: {', '.join(map(str, sorted(missing)))}")
        found = [p for p in found if p.resolve() in wanted]
    rel = lambda p: p.relative_to(course).as_posix()  # noqa: E731
    return sorted(found, key=lambda p: (not rel(p)[:2].isdigit(), rel(p)))


def mathjax_source() -> Path:
    try:
        import mathjax  # the django-static-mathjax package: MathJax's own distribution under static/mathjax/
    except ImportError:
        raise SystemExit("MathJax is not installed: it is a dependency of optimlab (django-static-mathjax); "
                         "run `make site`, or `pip install -e .` in your environment") from None
    path = Path(mathjax.__file__).parent / "static" / "mathjax"
    if not (path / "es5" / MATHJAX_FILE).exists():
        raise SystemExit(f"{path / 'es5' / MATHJAX_FILE} is missing: the installed django-static-mathjax "
                         f"is not MathJax 3 (pyproject.toml pins django-static-mathjax==3.2.2.1)")
    return path


def read_source(path: Path):
    import nbformat

    if path.suffix == ".md":
        nb = nbformat.v4.new_notebook()
        nb.cells.append(nbformat.v4.new_markdown_cell(path.read_text(encoding="utf-8")))
        return nb
    return nbformat.read(path, as_version=4)


def title_and_summary(nb, fallback: str) -> tuple[str, str]:
    """The first heading of the first markdown cell, and the first sentence after it."""
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        lines = cell.source.splitlines()
        heading = next((ln for ln in lines if ln.startswith("# ")), None)
        if heading is None:
            continue
        rest = " ".join(ln.strip() for ln in lines[lines.index(heading) + 1:] if ln.strip()).split("\n")[0]
        sentence = re.split(r"(?<=[.!?])\s", rest, maxsplit=1)[0] if rest else ""
        return heading[2:].strip(), sentence
    return fallback, ""


def execute(path: Path, timeout: int) -> tuple[object, dict]:
    """Run every cell of ``path`` from its own folder; errors in cells are kept as outputs."""
    import nbclient
    from nbclient.exceptions import DeadKernelError

    nb = read_source(path)
    report = {"cells": sum(c.cell_type == "code" for c in nb.cells), "seconds": 0.0, "problem": "", "errors": [],
              "timeouts": 0, "figures": 0}
    if path.suffix != ".ipynb":
        return nb, report
    start = time.perf_counter()
    client = nbclient.NotebookClient(
        nb, timeout=timeout, interrupt_on_timeout=True, allow_errors=True, kernel_name="python3", startup_timeout=180,
        resources={"metadata": {"path": str(path.parent)}},
        extra_arguments=["--IPKernelApp.log_level=ERROR"])
    try:
        client.execute()
    except (DeadKernelError, RuntimeError, TimeoutError) as exc:  # the kernel died or never started
        report["problem"] = f"{type(exc).__name__}: {exc}"
    report["seconds"] = time.perf_counter() - start
    errors = [c for c in nb.cells if c.cell_type == "code" and any(o.output_type == "error" for o in c.outputs)]
    report["errors"] = [f"{o.ename}" for c in errors for o in c.outputs if o.output_type == "error"]
    report["timeouts"] = sum(e == "CellTimeoutError" for e in report["errors"])
    report["figures"] = sum("image/png" in o.get("data", {}) for c in nb.cells if c.cell_type == "code"
                            for o in c.outputs)
    if report["timeouts"] and not report["problem"]:
        report["problem"] = f"{report['timeouts']} cell(s) interrupted after {timeout} s"
    return nb, report


_IPYNB_LINK = re.compile(r'(href=")(?![a-z][a-z0-9+.-]*:|#|/)([^"#]*?)\.(?:ipynb|md)([#"])', re.I)


@functools.lru_cache(maxsize=1)
def _exporter():
    from nbconvert import HTMLExporter

    return HTMLExporter(template_name="site_template", extra_template_basedirs=[str(TEMPLATE_DIR.parent)])


def render(nb, page: Page, pages: list[Page], index: int) -> str:
    """``page`` as HTML; ``pages`` is the whole site in order (the index first), ``index`` this page's place."""
    depth = len(page.rel.parts) - 1
    root = "../" * depth

    def link(p: Page | None):
        return None if p is None else {"href": root + p.rel.as_posix(), "title": p.title}

    prev_page = pages[index - 1] if index > 0 else None
    next_page = pages[index + 1] if index + 1 < len(pages) else None
    exporter = _exporter()
    resources = {
        "metadata": {"name": page.title},
        "site": {"root": root, "title": SITE_TITLE, "index": root + "index.html", "prev": link(prev_page),
                 "next": link(next_page), "mathjax": root + "_static/mathjax/" + MATHJAX_FILE,
                 "contents": [dict(link(p), current=p is page) for p in pages[1:]],
                 # a visitor may land on any page: say what it shows and how to run it for real
                 "source": ("course/" + page.rel.with_suffix(".ipynb").as_posix()
                            if page.source.suffix == ".ipynb" else None)},
    }
    nb.metadata["title"] = page.title
    body, _ = exporter.from_notebook_node(nb, resources=resources)
    # Links between course notebooks (and to markdown pages) point at their pages.
    return _IPYNB_LINK.sub(lambda m: f"{m.group(1)}{m.group(2)}.html{m.group(3)}", body)


def index_notebook(pages: list[Page]):
    import nbformat

    def item(p: Page) -> str:
        return f"1. [{p.title}]({p.rel.as_posix()})" + (f" — {p.summary}" if p.summary else "")

    numbered = [p for p in pages if p.rel.as_posix()[:2].isdigit()]
    items = "\n".join(item(p) for p in numbered)
    others = [p for p in pages if p not in numbered]
    if others:  # the notation page, the glossary
        items += "\n\n## Reference\n\n" + "\n".join(item(p).replace("1. ", "* ", 1) for p in others)
    text = (f"# {SITE_TITLE}\n\n"
            "An open Jupyter course: each notebook derives an optimizer, has you implement its update rule, "
            "checks your code numerically and lets you tune it with sliders. These pages are the notebooks of "
            "`course/` run from top to bottom with nothing filled in: every demo uses the reference "
            "implementation (a note says so), every exercise's check cell shows the error an unfinished "
            "exercise gets, and every explorer shows the static picture of its default settings. "
            "To do the exercises and move the sliders, clone the repository and run `make lab`.\n\n"
            f"## Notebooks\n\n{items}\n")
    nb = nbformat.v4.new_notebook()
    nb.cells.append(nbformat.v4.new_markdown_cell(text))
    return nb


def _execute_one(args):
    path, timeout = args
    return execute(path, timeout)


def _snapshot(course: Path, target: Path, tries: int = 5) -> Path:
    """Copy ``course`` to ``target``; retried when a file vanishes during the copy (a release in progress)."""
    for attempt in range(tries):
        try:
            shutil.copytree(course, target, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
            return target
        except (FileNotFoundError, shutil.Error):
            if attempt == tries - 1:
                raise
            shutil.rmtree(target, ignore_errors=True)
            time.sleep(2)
    return target


def build(out: Path, course: Path = COURSE, only: list[str] | None = None, jobs: int = 1,
          timeout: int = 120) -> list[Page]:
    """Write the site of ``course`` into ``out``; return the pages executed, with their reports.

    ``only``: execute and write just these notebooks (paths of notebooks of ``course``; the other pages are kept
    as they are); the navigation and the index still cover the whole course.
    """
    mathjax = mathjax_source()
    course = course.resolve()
    os.environ["OPTIMLAB_STATIC"] = "1"  # the kernels inherit it: explorers draw their static PNG
    # The notebooks run in a copy of course/: one consistent version of the course even while a release
    # rewrites course/ (the kernels' working folders, and the relative paths between notebooks, are as in course/).
    with tempfile.TemporaryDirectory(prefix="optimlab_site_") as tmp:
        snapshot = _snapshot(course, Path(tmp) / "course")
        sources = find_sources(snapshot)
        if not sources:
            raise SystemExit(f"no notebook (*.ipynb) or page (*.md) in {course}")
        wanted = None
        if only:
            wanted = {snapshot / Path(o).resolve().relative_to(course) for o in only}
            find_sources(snapshot, [str(w) for w in wanted])  # refuses a path that is not a page of the course
        pages = [Page(src, src.relative_to(snapshot).with_suffix(".html")) for src in sources]
        for page in pages:  # titles first: every page's navigation names its neighbours
            page.title, page.summary = title_and_summary(read_source(page.source), page.source.stem)
        todo = [p for p in pages if wanted is None or p.source in wanted]
        work = [(p.source, timeout) for p in todo]
        if jobs > 1 and len(work) > 1:
            with ProcessPoolExecutor(min(jobs, len(work))) as pool:
                results = list(pool.map(_execute_one, work))
        else:
            results = [_execute_one(w) for w in work]

        out.mkdir(parents=True, exist_ok=True)
        static = out / "_static"
        (static / "mathjax").mkdir(parents=True, exist_ok=True)
        shutil.copy2(mathjax / "es5" / MATHJAX_FILE, static / "mathjax" / MATHJAX_FILE)
        shutil.copy2(mathjax / "LICENSE", static / "mathjax" / "LICENSE")
        shutil.copy2(TEMPLATE_DIR / "site.css", static / "site.css")
        for image in snapshot.rglob("*"):
            if image.suffix.lower() in IMAGE_SUFFIXES:
                target = out / image.relative_to(snapshot)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(image, target)

    site = [Page(Path("index"), Path("index.html"), SITE_TITLE)] + pages
    for page, (nb, report) in zip(todo, results):
        page.report = report
        page.source = course / page.source.relative_to(snapshot)
        target = out / page.rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(render(nb, page, site, site.index(page)), encoding="utf-8")
    (out / "index.html").write_text(render(index_notebook(pages), site[0], site, 0), encoding="utf-8")
    # What each page's run gave (seconds, figures, the errors of its cells), kept across partial rebuilds.
    report_path = out / REPORT
    reports = json.loads(report_path.read_text()) if report_path.exists() else {}
    reports = {k: v for k, v in reports.items() if k in {p.rel.as_posix() for p in pages}}
    reports.update({p.rel.as_posix(): p.report for p in todo})
    report_path.write_text(json.dumps(reports, indent=1, sort_keys=True))
    return todo


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="*",
                        help="rebuild only these pages of course/ (default: all); the index and navigation cover all")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"output folder (default: {DEFAULT_OUT})")
    parser.add_argument("--course", type=Path, default=COURSE, help="the course folder (default: course/)")
    parser.add_argument("--jobs", type=int, default=2, help="notebooks executed at once (default: 2)")
    parser.add_argument("--timeout", type=int, default=120, help="seconds one cell may run (default: 120)")
    args = parser.parse_args(argv)
    if args.jobs < 1:
        parser.error(f"--jobs must be an integer >= 1, got {args.jobs}")
    if args.timeout < 1:
        parser.error(f"--timeout must be an integer >= 1 (seconds), got {args.timeout}")
    course = args.course.resolve()
    if not course.is_dir():
        parser.error(f"--course {course} is not a folder")
    for nb in args.notebooks:
        path = Path(nb).resolve()
        if not (path.is_relative_to(course) and path.suffix in (".ipynb", ".md") and path.is_file()):
            parser.error(f"{nb} is not a notebook (*.ipynb) or page (*.md) of {course}")
    start = time.perf_counter()
    pages = build(args.out.resolve(), course, only=args.notebooks or None, jobs=args.jobs, timeout=args.timeout)
    failed = 0
    for p in pages:
        r = p.report
        errors = r.get("errors", [])
        line = (f"{p.rel.as_posix():48s} {r['seconds']:5.1f} s  {r['cells']:3d} code cells  "
                f"{r.get('figures', 0):3d} figures  {len(errors):2d} cell errors")
        if errors:
            kinds = sorted(set(errors))
            line += f" ({', '.join(f'{errors.count(k)} {k}' for k in kinds)})"
        if r["problem"]:
            failed += 1
            line += f"\n    NOT RUN TO THE END: {r['problem']}"
        print(line)
    print(f"{len(pages)} pages and index.html written in {args.out} ({time.perf_counter() - start:.1f} s); "
          f"open {args.out / 'index.html'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
