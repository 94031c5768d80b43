"""The rendered edition (``make site``): every course notebook executed and rendered as static HTML.

The site is built once for this module, by ``make site SITE_DIR=<tmp>`` (the command a reader runs; it installs
the `site` extra, MathJax, on first use), from the course as it is in ``course/``. Then:

* without a browser: the index links every notebook in course order, each page's bar links the index, its
  neighbours and (Contents) every page, every code cell ran (check cells of unfinished exercises fail, the cells
  after them still run), nothing is loaded from the network;
* in headless Chromium, each page opened from the disk (``file://``): every figure is an ``<img>`` that loaded
  (naturalWidth > 0), at least one per cell that shows a plot or an explorer, explorers as their static PNG (no
  widget left as text), formulas typeset by MathJax (SVG output, no TeX error, no ``$...$`` left in the text),
  and no console error. Screenshots of the index and of one notebook are kept in ``tests/artifacts/``.
"""
from __future__ import annotations

import html.parser
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
COURSE = ROOT / "course"
ARTIFACTS = ROOT / "tests" / "artifacts"
sys.path.insert(0, str(ROOT / "scripts"))
import build_site  # noqa: E402  (scripts/ is not a package)

pytestmark = pytest.mark.browser  # builds the site (about a minute) and reads it in Chromium

EXPLORER_CALL = re.compile(r"^(?:[\w.]+\.)?(?:landscape_explorer|data_explorer|race)\(")


def _notebooks() -> list[Path]:
    return sorted(p for p in COURSE.glob("*/*.ipynb") if ".ipynb_checkpoints" not in p.parts)


def _page(path: Path) -> Path:
    return path.relative_to(COURSE).with_suffix(".html")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    if os.environ.get("OPTIMLAB_SITE_DIR"):  # a site built before (by `make site`): check it without rebuilding
        return {"out": Path(os.environ["OPTIMLAB_SITE_DIR"]).resolve(), "log": ""}
    out = tmp_path_factory.mktemp("site")
    make = shutil.which("make")
    assert make, "`make` is not installed: `make site` needs it"
    proc = subprocess.run([make, "--no-print-directory", "site", f"SITE_DIR={out}"], cwd=ROOT,
                          capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, f"make site failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return {"out": out, "log": proc.stdout}


class _Links(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.links, self.nav, self.scripts, self.texts, self._in_nav, self._text = [], [], [], {}, 0, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "nav":
            self._in_nav += 1
        elif tag == "a" and "href" in attrs:
            (self.nav if self._in_nav else self.links).append((attrs["href"], attrs.get("rel")))
            if not self._in_nav:
                self._text = attrs["href"]
                self.texts[self._text] = ""
        if tag in ("script", "img", "link") and (attrs.get("src") or attrs.get("href")):
            self.scripts.append(attrs.get("src") or attrs.get("href"))

    def handle_data(self, data):
        if self._text is not None:
            self.texts[self._text] += data

    def handle_endtag(self, tag):
        if tag == "nav":
            self._in_nav -= 1
        elif tag == "a":
            self._text = None


def _parse(path: Path) -> _Links:
    parser = _Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def test_index_links_every_notebook_in_order(site):
    index = _parse(site["out"] / "index.html")
    targets = [href for href, _ in index.links if href.endswith(".html")]
    expected = [_page(p).as_posix() for p in _notebooks()]
    assert expected, "no notebook in course/"
    assert [t for t in targets if t in expected] == expected, f"the index links {targets}, expected {expected}"
    for target in targets:
        assert (site["out"] / target).is_file(), f"the index links {target}, which was not built"
    # each notebook's title (its first heading) is the link text
    for nb in _notebooks():
        title = build_site.title_and_summary(build_site.read_source(nb), nb.stem)[0]
        shown = index.texts[_page(nb).as_posix()]
        assert shown == title, f"the index names {nb.name} {shown!r}, not by its title {title!r}"


def test_navigation_links_index_previous_and_next(site):
    # index, the numbered notebooks in order, then the other pages (notation, glossary)
    order = ["index.html"] + [_page(s).as_posix() for s in build_site.find_sources(COURSE)]
    assert order[1:1 + len(_notebooks())] == [_page(p).as_posix() for p in _notebooks()], order
    for i, rel in enumerate(order):
        page = site["out"] / rel
        nav = _parse(page).nav
        resolved = {(os.path.normpath(os.path.join(os.path.dirname(rel), href)), r) for href, r in nav}
        assert ("index.html", None) in resolved, f"{rel}: no link to the index in {nav}"
        if i > 0:
            assert (order[i - 1], "prev") in resolved, f"{rel}: no link to the previous page {order[i - 1]}"
        if i + 1 < len(order):
            assert (order[i + 1], "next") in resolved, f"{rel}: no link to the next page {order[i + 1]}"
        # the Contents drop-down links every other page
        missing = set(order[1:]) - {rel} - {h for h, _ in resolved}
        assert not missing, f"{rel}: the contents do not link {sorted(missing)}"


@pytest.mark.parametrize("notebook", _notebooks(), ids=lambda p: p.stem)
def test_every_cell_ran_and_nothing_comes_from_the_network(site, notebook):
    page = site["out"] / _page(notebook)
    text = page.read_text(encoding="utf-8")
    code_cells = sum(c["cell_type"] == "code" for c in json.loads(notebook.read_text())["cells"])
    prompts = re.findall(r"In(?:\s|&nbsp;)\[(\d+)\]:", text)
    # An unfinished exercise's check cell fails; the build goes on, so every code cell has run.
    assert len(prompts) == code_cells, f"{page.name}: {len(prompts)} of {code_cells} code cells ran"
    assert prompts == [str(k) for k in range(1, code_cells + 1)], prompts
    assert "ExerciseFailure" in text, f"{page.name}: the released notebook's check cells did not fail"
    # The only errors are the check cells' ExerciseFailure: anything else is a bug in the course.
    report = json.loads((site["out"] / build_site.REPORT).read_text())[_page(notebook).as_posix()]
    assert not report["problem"], f"{page.name}: {report['problem']}"
    others = [e for e in report["errors"] if e != "ExerciseFailure"]
    assert not others, f"{page.name}: cells fail with {others}, not only the unfinished exercises' checks"
    assert report["errors"], f"{page.name}: no check cell failed, though no exercise is done"
    external = [u for u in _parse(page).scripts if re.match(r"^(https?:)?//", u)]
    assert not external, f"{page.name} loads {external} from the network"
    # links between notebooks lead to their pages
    for href, _ in _parse(page).links:
        assert not href.endswith((".ipynb", ".md")) or href.startswith(("http:", "https:")), href


def test_bad_arguments_are_refused():
    for args, expected in ((["--jobs", "0"], "--jobs must be an integer >= 1, got 0"),
                           (["--timeout", "-5"], "--timeout must be an integer >= 1 (seconds), got -5"),
                           (["nope.ipynb"], "nope.ipynb is not a notebook (*.ipynb) or page (*.md) of")):
        proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "build_site.py"), *args],
                              capture_output=True, text=True)
        assert proc.returncode != 0 and expected in proc.stderr, (args, proc.stderr)


# --- in the browser -------------------------------------------------------------------------------------------

def _min_figures(notebook: Path) -> int:
    """Code cells that show a figure: a pyplot figure (plt.show()) or an explorer call as the last statement."""
    count = 0
    for cell in json.loads(notebook.read_text())["cells"]:
        if cell["cell_type"] != "code":
            continue
        lines = [ln for ln in "".join(cell["source"]).splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
        last = next((ln for ln in reversed(lines) if not ln[:1].isspace() and not ln.startswith(")")), "")
        count += bool(EXPLORER_CALL.match(last)) or any("plt.show()" in ln for ln in lines)
    return count


def _open(browser, url):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    problems = []
    page.on("console", lambda m: m.type == "error" and problems.append(f"console: {m.text}"))
    page.on("pageerror", lambda e: problems.append(f"pageerror: {e}"))
    page.on("request", lambda r: r.url.startswith(("file:", "data:")) or problems.append(f"request: {r.url}"))
    page.on("requestfailed", lambda r: problems.append(f"failed: {r.url}"))
    page.goto(url)
    page.wait_for_function("window.MathJax && MathJax.startup && MathJax.startup.promise", timeout=30_000)
    page.evaluate("MathJax.startup.promise")  # resolves once the page is typeset
    return page, problems


_RAW_MATH = """() => {
  const out = [];
  for (const md of document.querySelectorAll('.jp-RenderedMarkdown')) {
    const copy = md.cloneNode(true);
    copy.querySelectorAll('code, pre, mjx-container').forEach(e => e.remove());
    const m = copy.textContent.match(/\\$[^$]+\\$|\\\\\\(|\\\\\\[|\\\\frac|\\\\eta|\\\\beta/);
    if (m) out.push(m[0]);
  }
  return out;
}"""


@pytest.mark.parametrize("notebook", _notebooks(), ids=lambda p: p.stem)
def test_page_shows_figures_and_formulas(site, browser, notebook):
    rel = _page(notebook)
    page, problems = _open(browser, (site["out"] / rel).as_uri())
    try:
        images = page.evaluate("""() => Array.from(document.querySelectorAll('.jp-OutputArea-output img'),
                                   i => ({w: i.naturalWidth, h: i.naturalHeight, done: i.complete}))""")
        formulas = page.locator("mjx-container[jax='SVG']").count()
        errors = page.locator("mjx-merror, [data-mjx-error]").count()
        raw = page.evaluate(_RAW_MATH)
        widgets_as_text = page.get_by_text(re.compile(r"^(VBox|HBox|Canvas|Figure)\(")).count()
        if notebook.parent.name.startswith("04"):
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "site_04.png"))
    finally:
        page.close()
    expected = _min_figures(notebook)
    report = json.loads((site["out"] / build_site.REPORT).read_text())[rel.as_posix()]
    assert len(images) == report["figures"], f"{rel}: {len(images)} images, the run gave {report['figures']} PNGs"
    assert len(images) >= expected > 0, f"{rel}: {len(images)} images, expected at least {expected}"
    broken = [i for i in images if not (i["done"] and i["w"] > 0 and i["h"] > 0)]
    assert not broken, f"{rel}: {len(broken)} of {len(images)} images did not load"
    assert not widgets_as_text, f"{rel}: a widget is shown as text instead of its static PNG"
    inline_math = len(re.findall(r"\$[^$]+\$", "".join(
        "".join(c["source"]) for c in json.loads(notebook.read_text())["cells"] if c["cell_type"] == "markdown")))
    assert formulas >= min(inline_math, 1) and formulas > 0, f"{rel}: {formulas} typeset formulas"
    assert not errors, f"{rel}: {errors} formulas with a TeX error"
    assert not raw, f"{rel}: TeX left untypeset in the text: {raw[:5]}"
    assert not problems, f"{rel}:\n" + "\n".join(problems)


def test_index_page_in_browser(site, browser):
    page, problems = _open(browser, (site["out"] / "index.html").as_uri())
    try:
        hrefs = page.evaluate("() => Array.from(document.querySelectorAll('.jp-RenderedMarkdown a'), a => a.href)")
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "site_index.png"), full_page=True)
        first = _page(_notebooks()[0]).as_posix()
        page.locator(f".jp-RenderedMarkdown a[href='{first}']").first.click()
        page.wait_for_load_state()
        assert page.url.endswith(first), page.url
    finally:
        page.close()
    for nb in _notebooks():
        assert (site["out"] / _page(nb)).as_uri() in hrefs, f"the index does not link {nb.name}"
    assert not problems, "\n".join(problems)
