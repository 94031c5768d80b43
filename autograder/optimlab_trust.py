"""Nothing from a submission is trusted but the answers.

``rebuild(release_nb, submitted_nb)`` returns the notebook that is graded: the release's
notebook (its locked cells, test cells, points and nbgrader metadata, cell for cell) with
the learner's answer cells put in, and the learner's own ordinary cells kept where they
were (after the nbgrader cell that preceded them). Then

* an edited or deleted test cell or locked cell is restored from the release (nbgrader
  restores an edited one, never a deleted one);
* a graded cell the release does not have (a copied test cell, a cell whose metadata was
  edited into a test cell) is kept as an ordinary cell: it runs, it scores nothing;
* an answer cell's metadata (points, grade flags, locks) comes from the release; a second
  cell with the same grade_id is kept as an ordinary cell;
* a cell the learner turned from answer into something else still gives its source as
  the answer.

Each of these is listed in the returned notes, which the grader records in the
``tampering`` column of submissions.csv. The notebook-level metadata (kernelspec, ...)
comes from the release too. ``timestamp_problem`` checks a timestamp.txt the way nbgrader
reads it, so that a malformed one is dropped (and noted) instead of failing the grading.
"""
from __future__ import annotations

import copy

import nbformat


def _meta(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {}) or {}


def _is_answer(meta: dict) -> bool:
    return bool(meta.get("solution")) and not meta.get("grade")


def _plain(cell):
    """A learner's cell as an ordinary cell: nbgrader metadata and locks removed."""
    cell = copy.deepcopy(cell)
    for key in ("nbgrader", "editable", "deletable"):
        cell.metadata.pop(key, None)
    return cell


def rebuild(release_nb, submitted_nb) -> tuple[nbformat.NotebookNode, list[str]]:
    notes: list[str] = []
    trusted = [(_meta(c).get("grade_id"), c) for c in release_nb.cells]
    by_id = {gid: c for gid, c in trusted if gid}
    answers: dict[str, str] = {}
    attached: dict[str | None, list] = {None: []}  # anchor grade_id -> learner cells after it
    anchor = None
    seen: set[str] = set()
    for cell in submitted_nb.get("cells", []):
        meta, gid = _meta(cell), _meta(cell).get("grade_id")
        if gid in by_id and gid not in seen:
            seen.add(gid)
            anchor = gid
            source_meta = _meta(by_id[gid])
            if _is_answer(source_meta):
                answers[gid] = cell.get("source", "")
                if cell.get("cell_type") != by_id[gid].cell_type:
                    notes.append(f"answer cell {gid} changed type (restored)")
                if {k: meta.get(k) for k in ("grade", "solution", "points")} != \
                        {k: source_meta.get(k) for k in ("grade", "solution", "points")}:
                    notes.append(f"answer cell {gid}: nbgrader metadata edited (restored)")
            elif cell.get("source", "") != by_id[gid].source:
                kind = "test cell" if source_meta.get("grade") else "locked cell"
                notes.append(f"{kind} {gid} edited (restored)")
            elif meta != source_meta and source_meta.get("grade"):
                notes.append(f"test cell {gid}: nbgrader metadata edited (restored)")
            continue
        if gid in seen:
            notes.append(f"duplicate cell id {gid} (kept as an ordinary cell)")
        elif meta.get("grade"):
            notes.append(f"extra graded cell {gid or '(no id)'} ignored (kept as an ordinary cell)")
        elif meta:
            notes.append(f"unknown nbgrader cell {gid or '(no id)'} kept as an ordinary cell")
        attached.setdefault(anchor, []).append(_plain(cell))
    for gid, cell in trusted:
        if gid and gid not in seen:
            kind = ("answer cell" if _is_answer(_meta(cell)) else
                    "test cell" if _meta(cell).get("grade") else "locked cell")
            notes.append(f"{kind} {gid} deleted (restored)")

    nb = nbformat.v4.new_notebook()
    nb.metadata = copy.deepcopy(release_nb.metadata)
    nb.nbformat, nb.nbformat_minor = release_nb.nbformat, release_nb.nbformat_minor
    cells = list(attached[None])
    # The learner's ordinary cells replace the release's ordinary cells: they may have
    # edited a demo cell, or deleted it. Only nbgrader cells come from the release.
    for gid, cell in trusted:
        if not gid:
            continue
        cell = copy.deepcopy(cell)
        if gid in answers:
            cell.source = answers[gid]
        cells.append(cell)
        cells += attached.get(gid, [])
    if not any(_meta(c) for c in release_nb.cells):  # nothing to anchor on: keep theirs
        cells = [_plain(c) for c in submitted_nb.get("cells", [])]
    for i, cell in enumerate(cells):  # fresh, unique cell ids (nbformat 4.5)
        cell["id"] = f"cell-{i}"
        if cell.get("cell_type") == "code":
            cell.setdefault("outputs", [])
            cell.setdefault("execution_count", None)
    nb.cells = cells
    if (nb.nbformat, nb.nbformat_minor) < (4, 5):
        for cell in nb.cells:
            cell.pop("id", None)
    return nb, list(dict.fromkeys(notes))


def timestamp_problem(text: str) -> str | None:
    """None if nbgrader can read this timestamp.txt content, else what is wrong."""
    from nbgrader.utils import parse_utc

    stripped = text.strip()
    if not stripped:
        return None  # nbgrader ignores an empty one
    if len(stripped) > 100:
        return "timestamp.txt is not a date (ignored)"
    try:
        parse_utc(stripped)
    except Exception:  # noqa: BLE001 - any parse failure: not a date
        return f"timestamp.txt {stripped[:40]!r} is not a date (ignored)"
    return None
