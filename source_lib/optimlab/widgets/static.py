"""Where the explorers can be interactive, and the static picture they show everywhere else.

An explorer returned by :func:`~optimlab.widgets.landscape_explorer` (and the others) is
displayed through its ``_repr_mimebundle_``:

* **widget mode** (JupyterLab, Notebook 7, VS Code): the bundle holds the widget view *and*
  an ``image/png`` of the figure as displayed (the default state of a fresh explorer) plus
  ``text/plain``. Front-ends that render widgets pick the widget; a static viewer of the
  saved notebook (nbviewer, GitHub, ``jupyter nbconvert --to html`` without widget state)
  falls back to the PNG.
* **static mode**: no widget is created at all, only a small PNG of the default state
  (about 0.1 s). Used where nobody can move a slider: an autograder run, a notebook
  executed with ``jupyter nbconvert --execute`` / nbclient / papermill, a plain script.

:func:`static_mode` decides, in this order:

1. an explicit ``static=True/False`` argument of the explorer;
2. the environment variable ``OPTIMLAB_STATIC`` (``1/true/yes/on`` or ``0/false/no/off``); the
   course's grading tools set ``OPTIMLAB_STATIC=1``;
3. outside an IPython kernel (a script, pytest): static;
4. inside a kernel, static when the cell being executed was sent with ``allow_stdin=False``.
   nbclient (behind nbconvert, nbgrader and papermill) always sends that, because no person
   can answer ``input()`` there; JupyterLab, Notebook 7 and VS Code send ``allow_stdin=True``.
"""
from __future__ import annotations

import base64
import io
import os
import warnings

__all__ = ["static_mode", "figure_png", "STATIC_ENV"]

#: The environment variable that forces static (``1``) or widget (``0``) mode.
STATIC_ENV = "OPTIMLAB_STATIC"

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def _kernel_parent_allows_stdin():
    """``allow_stdin`` of the request the kernel is executing, or ``None`` outside a kernel."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython is a dependency of ipywidgets
        return None
    ip = get_ipython()
    kernel = getattr(ip, "kernel", None)
    if kernel is None:
        return None
    try:
        parent = kernel.get_parent("shell")
    except Exception:  # pragma: no cover - very old ipykernel
        parent = getattr(kernel, "_parent_header", None) or {}
    content = (parent or {}).get("content") or {}
    if "allow_stdin" not in content:
        return True  # not inside an execute request (e.g. a comm message): assume a front-end
    return bool(content["allow_stdin"])


def static_mode(static: bool | None = None) -> bool:
    """True when explorers should draw a static PNG only (see the module docstring for the rules)."""
    if static is not None:
        if not isinstance(static, bool):
            raise TypeError(f"static must be True, False or None (automatic), got {static!r}")
        return static
    env = os.environ.get(STATIC_ENV, "").strip().lower()
    if env in _TRUE:
        return True
    if env in _FALSE:
        return False
    if env:
        # A typo in an environment variable must not break a demo cell: say so and decide automatically.
        warnings.warn(f"{STATIC_ENV}={os.environ[STATIC_ENV]!r} is not understood; use 1 (static PNG) or "
                      f"0 (interactive widgets). Deciding automatically.", stacklevel=3)
    allows = _kernel_parent_allows_stdin()
    if allows is None:
        return True  # no kernel: nobody can move a slider
    return not allows


def figure_png(fig, dpi=None, colors: int | None = 256) -> bytes:
    """The figure as PNG bytes (``dpi=None``: the figure's own dpi).

    ``colors=256`` stores a palette image: a third of the size of full colour (about 30 kB
    instead of 80 kB for an explorer) with no visible difference for line plots, which keeps
    notebooks executed in static mode small. ``colors=None`` keeps full colour.
    """
    from PIL import Image

    raw = io.BytesIO()
    fig.savefig(raw, format="rgba", dpi="figure" if dpi is None else dpi)
    scale = 1.0 if dpi is None else dpi / fig.dpi
    w = int(fig.bbox.width * scale)  # Agg truncates the size in pixels to integers
    h = len(raw.getbuffer()) // (4 * w)
    image = Image.frombuffer("RGBA", (w, h), raw.getbuffer(), "raw", "RGBA", 0, 1).convert("RGB")
    if colors is not None:
        image = image.quantize(colors=colors)
    out = io.BytesIO()
    image.save(out, format="png", optimize=colors is not None)
    return out.getvalue()


def png_b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
