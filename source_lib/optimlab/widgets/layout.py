"""Layout helpers of the explorers: fonts, notes that wrap, axes that follow the data, paths that stop at the edge.

Everything here works on a plain matplotlib figure drawn at the explorers' 72 dpi, where a point
is a pixel at 100 % zoom (``style.TICK_SIZE = 10`` gives 10 px tick labels).
"""
from __future__ import annotations

import math

import numpy as np
from matplotlib.font_manager import FontProperties

from .. import style

__all__ = ["style_axes", "fit_title", "adjust", "figure_height", "Notes", "fit_limits", "legend_fraction", "clip_to_window", "positive_floor", "on_log_axis",
           "DivergenceMarker"]


#: Margins of the explorers' figures in points (= px at 72 dpi): room for the y tick labels and
#: label on the left, the title on top, the x tick labels and label under the axes (the notes
#: come below that), and the height of the plots themselves.
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM, PLOT_HEIGHT = 62.0, 12.0, 30.0, 50.0, 250.0


def figure_height(notes_pt: float) -> float:
    """Figure height in inches for plots of :data:`PLOT_HEIGHT` above ``notes_pt`` points of notes."""
    return (MARGIN_TOP + PLOT_HEIGHT + MARGIN_BOTTOM + notes_pt) / 72.0


def adjust(fig, notes_pt: float, wspace: float = 0.22):
    """``subplots_adjust`` with the margins above, for a figure of :func:`figure_height`."""
    w_pt, h_pt = fig.get_figwidth() * 72.0, fig.get_figheight() * 72.0
    fig.subplots_adjust(left=MARGIN_LEFT / w_pt, right=1 - MARGIN_RIGHT / w_pt, top=1 - MARGIN_TOP / h_pt,
                        bottom=(notes_pt + MARGIN_BOTTOM) / h_pt, wspace=wspace)


def fit_title(ax, title, size=style.TITLE_SIZE, smallest=11.0):
    """Set ``title``, smaller (down to ``smallest``) if it is wider than the axes."""
    t = ax.set_title(title, fontsize=size)
    renderer = _renderer(ax.figure)
    while size > smallest and t.get_window_extent(renderer).width > ax.bbox.width + 20:
        size -= 0.5
        t.set_fontsize(size)
    return t


def style_axes(ax, title=None, xlabel=None, ylabel=None):
    """The course's font sizes on one axes (tick labels, labels, title)."""
    ax.tick_params(labelsize=style.TICK_SIZE)
    if title is not None:
        fit_title(ax, title)
    if xlabel is not None:
        ax.set_xlabel(xlabel, fontsize=style.LABEL_SIZE, labelpad=2)
    if ylabel is not None:
        ax.set_ylabel(ylabel, fontsize=style.LABEL_SIZE, labelpad=1)


def _renderer(fig):
    canvas = fig.canvas
    get = getattr(canvas, "get_renderer", None)
    if get is None:  # pragma: no cover - every canvas of the explorers is Agg-based
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        return FigureCanvasAgg(fig).get_renderer()
    return get()


def escape_math(text: str) -> str:
    """``$`` kept literal (a learner's error message must not be typeset as mathtext)."""
    return text.replace("$", r"\$")


class Notes:
    """Lines of explanation under the plots that wrap at the figure's width instead of running off it.

    ``Notes(fig, top_px, n_entries, n_lines)`` creates ``n_entries`` text artists in a band from
    ``top_px`` (points, i.e. pixels at the explorers' 72 dpi, above the figure's bottom) down to the bottom; :meth:`show` fills them with
    ``(text, colour, bold)`` entries, wraps each to the figure's width and stacks them. If the
    wrapped lines do not fit in ``n_lines`` lines the font shrinks (down to 9 pt) and, as a last
    resort, the last line that fits ends with an ellipsis: nothing is drawn outside the figure.
    """

    MIN_SIZE = 10.0
    LEADING = 1.28  # line height / font size

    def __init__(self, fig, top_px: float, n_entries: int, n_lines: int, fontsize: float = style.NOTE_SIZE,
                 left_px: float = 8.0, right_px: float = 8.0):
        self.fig = fig
        self.top_px, self.n_lines, self.fontsize = float(top_px), int(n_lines), float(fontsize)
        self.left_px, self.right_px = float(left_px), float(right_px)
        self.texts = [fig.text(0, 0, "", fontsize=fontsize, va="top", ha="left") for _ in range(n_entries)]
        self.entries: list[tuple[str, str, bool]] = []

    @staticmethod
    def height_px(n_lines: int, fontsize: float = style.NOTE_SIZE) -> float:
        """Pixels that ``n_lines`` lines of notes need (at 72 dpi)."""
        return n_lines * fontsize * Notes.LEADING + 4.0

    def _width(self, renderer, text, size, bold) -> float:
        prop = FontProperties(size=size, weight="bold" if bold else "normal")  # the renderer applies the dpi
        w, _, _ = renderer.get_text_width_height_descent(text, prop, ismath=False)
        return w

    def wrap(self, text: str, size: float, bold: bool, renderer=None) -> list[str]:
        """``text`` broken at spaces into lines no wider than the figure (a long word is split)."""
        key = (text, size, bold, self.fig.dpi, self.fig.bbox.width)
        cache = self.__dict__.setdefault("_wrap_cache", {})
        if key not in cache:
            if len(cache) > 512:
                cache.clear()
            cache[key] = self._wrap(text, size, bold, renderer or _renderer(self.fig))
        return list(cache[key])

    def _wrap(self, text, size, bold, renderer) -> list[str]:
        px_per_pt = self.fig.dpi / 72.0
        avail = self.fig.bbox.width - (self.left_px + self.right_px) * px_per_pt
        if self._width(renderer, text, size, bold) <= avail:
            return [text]  # the usual case: one measurement
        lines, current = [], ""
        for word in text.split(" "):
            candidate = word if not current else current + " " + word
            if self._width(renderer, candidate, size, bold) <= avail:
                current = candidate
                continue
            if current:
                lines.append(current)
            current = word
            while self._width(renderer, current, size, bold) > avail and len(current) > 1:
                cut = len(current) - 1
                while cut > 1 and self._width(renderer, current[:cut], size, bold) > avail:
                    cut = max(1, int(cut * 0.9))
                lines.append(current[:cut])
                current = current[cut:]
        if current or not lines:
            lines.append(current)
        return lines

    def show(self, entries):
        """``entries``: a list of ``(text, colour, bold)``; empty texts are skipped."""
        entries = [e for e in entries if e[0]][: len(self.texts)]
        self.entries = entries
        renderer = _renderer(self.fig)
        size = self.fontsize
        while True:
            wrapped = [self.wrap(t, size, b, renderer) for t, _, b in entries]
            if sum(map(len, wrapped)) <= self.n_lines or size <= self.MIN_SIZE:
                break
            size = max(self.MIN_SIZE, size - 0.5)
        # Positions in figure fractions from sizes in points: right at any dpi (ipympl doubles the dpi on HiDPI screens).
        w_pt, h_pt = self.fig.get_figwidth() * 72.0, self.fig.get_figheight() * 72.0
        line_h = size * self.LEADING
        y = self.top_px - 2.0
        room = self.n_lines
        for k, artist in enumerate(self.texts):
            if k >= len(entries) or room <= 0:
                artist.set_visible(False)
                continue
            lines = wrapped[k]
            if len(lines) > room:  # cannot happen with the sizes the explorers reserve; never draw off the figure
                lines = lines[:room]
                lines[-1] = lines[-1][: max(1, len(lines[-1]) - 2)] + "…"
            text, colour, bold = entries[k]
            artist.set_text(escape_math("\n".join(lines)))
            artist.set_position((self.left_px / w_pt, y / h_pt))
            artist.set_fontsize(size)
            artist.set_linespacing(self.LEADING / 1.2)  # matplotlib's linespacing is relative to 1.2 x size
            artist.set_color(colour)
            artist.set_fontweight("bold" if bold else "normal")
            artist.set_visible(True)
            y -= line_h * len(lines)
            room -= len(lines)

    @property
    def visible_texts(self) -> list[str]:
        """The texts shown, with their line breaks removed (what the learner reads)."""
        return [a.get_text().replace("\n", " ").replace(r"\$", "$") for a in self.texts if a.get_visible()]


def positive_floor(values) -> float:
    """Where a log-scale loss plot draws exact zeros (a run that hit the minimum exactly): at 1e-16
    times the largest value (machine precision relative to the start), or lower if the run has
    smaller positive values."""
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    top = float(np.max(np.abs(v))) if v.size else 1.0
    floor = max(top, 1e-300) * 1e-16
    pos = v[v > 0]
    return min(floor, float(pos.min())) if pos.size else floor


def on_log_axis(values) -> np.ndarray:
    """``values`` with the entries <= 0 replaced by :func:`positive_floor` (drawable on a log axis)."""
    v = np.asarray(values, dtype=float)
    return np.where(v > 0, v, positive_floor(v))


def legend_fraction(ax, legend) -> float:
    """Height of ``legend`` as a fraction of the axes' height (0 without a legend)."""
    if legend is None or not legend.get_visible():
        return 0.0
    renderer = _renderer(ax.figure)
    h = legend.get_window_extent(renderer).height
    return min(0.6, h / max(ax.bbox.height, 1.0))


def fit_limits(ax, values, headroom: float = 0.0, axis: str = "y", min_span: float | None = None,
               keep: bool = True) -> bool:
    """Set the ``axis`` limits of ``ax`` to contain every finite value in ``values`` (log, symlog
    or linear: computed in the axis' own scale), with the top ``headroom`` fraction of the axes kept
    free for a legend. With ``keep`` the current limits stay while they still contain the data
    with the headroom and the data fills at least 30 % of the rest: most slider moves then do not
    change the frame (the explorers redraw by blitting). Returns True when the limits changed.
    """
    v = np.asarray(values, dtype=float).ravel()
    v = v[np.isfinite(v)]
    scale = (ax.get_yscale() if axis == "y" else ax.get_xscale())
    if scale == "log":
        v = v[v > 0]
    if v.size == 0:
        return False
    tr = (ax.yaxis if axis == "y" else ax.xaxis).get_transform()
    a, b = (float(x) for x in tr.transform(np.array([v.min(), v.max()])))
    span = b - a
    if min_span is None:
        min_span = 1.0 if scale == "log" else (abs(b) + abs(a)) * 0.1 or 1.0
    if span < min_span:
        mid = 0.5 * (a + b)
        a, b = mid - 0.5 * min_span, mid + 0.5 * min_span
        span = min_span
    margin = 0.05 * span
    free = min(max(headroom, 0.0), 0.6) + 0.03

    def needed_top(bottom):
        return bottom + (b + margin - bottom) / (1.0 - free)

    get = ax.get_ylim if axis == "y" else ax.get_xlim
    setter = ax.set_ylim if axis == "y" else ax.set_xlim
    if keep:
        c0, c1 = (float(x) for x in tr.transform(np.array(get())))
        if np.isfinite(c0) and np.isfinite(c1) and c1 > c0:
            holds = c0 <= a - 0.25 * margin and needed_top(c0) <= c1
            # the data still fills at least 30 % of the room below the legend
            fills = (b - a) >= 0.3 * (c1 - c0) * (1.0 - free)
            if holds and fills:
                return False
    # Some slack both ways: curves that move a little further keep the frame.
    bottom = a - 2.0 * margin
    top = needed_top(bottom) + margin / (1.0 - free)
    lo, hi = (float(x) for x in tr.inverted().transform(np.array([bottom, top])))
    setter(lo, hi)
    if scale == "symlog":
        _symlog_ticks(ax, axis, lo, hi)
    return True


def _symlog_ticks(ax, axis, lo, hi, most=9):
    """At most ``most`` ticks on a symmetric log axis (0 and powers of ten, every k-th decade):
    matplotlib's default labels every decade and the labels run into each other."""
    from matplotlib.ticker import FixedLocator, NullLocator

    scale = (ax.yaxis if axis == "y" else ax.xaxis)._scale
    linthresh = getattr(scale, "linthresh", 1.0)
    d0 = math.floor(math.log10(linthresh))
    pos = math.floor(math.log10(hi)) if hi > linthresh else None
    neg = math.floor(math.log10(-lo)) if lo < -linthresh else None
    n = (pos - d0 + 1 if pos is not None else 0) + (neg - d0 + 1 if neg is not None else 0) + 1
    step = max(1, math.ceil(n / most))
    while True:
        ticks = [0.0]
        if pos is not None:
            ticks += [10.0 ** d for d in range(pos, d0 - 1, -step)]
        if neg is not None:
            ticks += [-(10.0 ** d) for d in range(neg, d0 - 1, -step)]
        if len(ticks) <= most:
            break
        step += 1
    target = ax.yaxis if axis == "y" else ax.xaxis
    # Near 0 the linear part of the axis is a few pixels: drop ticks closer than 1.8 label heights to a kept one.
    tr = target.get_transform()
    lo_s, hi_s = (float(v) for v in tr.transform(np.array([lo, hi])))
    length = ax.bbox.height if axis == "y" else ax.bbox.width
    pos_px = {t: (float(tr.transform(np.array([t]))[0]) - lo_s) / (hi_s - lo_s) * length for t in ticks}
    kept = []
    for t in sorted(ticks, key=lambda t: (t != 0.0, -abs(t))):
        if all(abs(pos_px[t] - pos_px[k]) >= 1.8 * style.TICK_SIZE * ax.figure.dpi / 72.0 for k in kept):
            kept.append(t)
    ticks = kept
    target.set_major_locator(FixedLocator(sorted(ticks)))
    target.set_minor_locator(NullLocator())


def clip_to_window(x, y, xlim, ylim, margin: float = 0.25):
    """The path ``(x, y)`` up to where it leaves the window (enlarged by ``margin`` of its size) for good.

    Returns ``(x, y, k)``: the points before step ``k``, the first point of the excursion that
    never comes back (``k = None`` if the path ends inside: then it is returned whole), followed by
    the point where the segment to step ``k`` crosses the enlarged window's edge. A diverging path
    thus ends with one line out of the frame instead of long lines back and forth across it.
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    (x0, x1), (y0, y1) = xlim, ylim
    dx, dy = (x1 - x0) * margin, (y1 - y0) * margin
    X0, X1, Y0, Y1 = x0 - dx, x1 + dx, y0 - dy, y1 + dy
    with np.errstate(invalid="ignore"):
        outside = ~((x >= X0) & (x <= X1) & (y >= Y0) & (y <= Y1))
    inside = np.flatnonzero(~outside)
    if not outside[-1]:
        return x, y, None  # ends inside: an excursion that comes back is drawn whole (the axes clip it)
    k = int(inside[-1]) + 1 if inside.size else 0  # the first point of the final excursion
    if k == 0:
        return x[:1], y[:1], 0
    px, py, qx, qy = x[k - 1], y[k - 1], x[k], y[k]
    # Liang-Barsky: the largest s in [0, 1] with p + s (q - p) inside the enlarged window.
    s = 1.0
    for d, lo, hi, p in ((qx - px, X0, X1, px), (qy - py, Y0, Y1, py)):
        if not math.isfinite(d):
            s = 0.0
            continue
        if d > 0:
            s = min(s, (hi - p) / d)
        elif d < 0:
            s = min(s, (lo - p) / d)
    s = max(0.0, min(1.0, s))
    ex, ey = px + s * (qx - px), py + s * (qy - py)
    return np.append(x[:k], ex), np.append(y[:k], ey), k


class DivergenceMarker:
    """A cross at a diverged run's last finite loss with the words "diverged at step k"."""

    def __init__(self, ax, color):
        self.ax = ax
        (self.marker,) = ax.plot([], [], "X", color=color, ms=9, mec="k", mew=0.8, zorder=7)
        self.label = ax.text(0, 0, "", color=color, fontsize=style.LEGEND_SIZE, fontweight="bold", zorder=7,
                             clip_on=False)
        self.hide()

    @property
    def artists(self):
        return [self.marker, self.label]

    def hide(self):
        self.marker.set_visible(False)
        self.label.set_visible(False)

    # Where the label may go: (dx, dy) in points from the cross, with its alignment.
    _PLACES = ((-8, 6, "right", "bottom"), (-8, -6, "right", "top"), (8, -6, "left", "top"), (8, 6, "left", "bottom"))

    def show(self, x, y, text):
        """Mark ``(x, y)`` (data coordinates); the label goes beside it where it covers the fewest curve
        points and no legend, inside the axes; if every place would cover the legend or another label,
        only the cross is shown."""
        from matplotlib.transforms import offset_copy

        ax = self.ax
        self.marker.set_data([x], [y])
        self.label.set_text(text)
        self.label.set_position((x, y))
        self.marker.set_visible(True)
        self.label.set_visible(True)
        renderer = _renderer(ax.figure)
        points = [ax.transData.transform(np.column_stack(line.get_data()))
                  for line in ax.get_lines() if line.get_visible() and line is not self.marker
                  and len(line.get_xdata())]
        points = np.concatenate(points) if points else np.empty((0, 2))
        legend = ax.get_legend()
        leg = legend.get_window_extent(renderer) if legend is not None and legend.get_visible() else None
        others = [t.get_window_extent(renderer) for t in ax.texts
                  if t is not self.label and t.get_visible() and t.get_text()]
        box = ax.bbox
        best = None
        for dx, dy, ha, va in self._PLACES:
            self.label.set_ha(ha)
            self.label.set_va(va)
            self.label.set_transform(offset_copy(ax.transData, fig=ax.figure, x=dx, y=dy, units="points"))
            bb = self.label.get_window_extent(renderer)
            outside = (bb.x0 < box.x0) + (bb.x1 > box.x1) + (bb.y0 < box.y0) + (bb.y1 > box.y1)
            with np.errstate(invalid="ignore"):
                covered = int(np.sum((points[:, 0] >= bb.x0) & (points[:, 0] <= bb.x1) &
                                     (points[:, 1] >= bb.y0) & (points[:, 1] <= bb.y1)))
            on_legend = (leg is not None and bb.overlaps(leg)) + sum(bb.overlaps(o) for o in others)
            score = (outside, on_legend, covered)
            if best is None or score < best[0]:
                best = (score, dx, dy, ha, va)
        (outside, clashes, _), dx, dy, ha, va = best
        if clashes:
            # Every place overlaps the legend or another run's label (several runs diverged at the same
            # spot): the cross stays, the notes under the plot say at which step.
            self.label.set_visible(False)
        self.label.set_ha(ha)
        self.label.set_va(va)
        self.label.set_transform(offset_copy(ax.transData, fig=ax.figure, x=dx, y=dy, units="points"))
