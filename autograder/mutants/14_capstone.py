"""Answers to the exercises of assignment 14_capstone (format: autograder/mutants/README.md).

MUTANTS: wrong answers learners write; each must lose points and its feedback must contain
`expect`, words of the hint that optimlab.checks.capstone (or the engine) prints for that mistake.
CORRECT: right answers written differently; each must pass. The code runs after the notebook's
first cells, so `np` and `optimlab` are defined.
"""

_BEST = "def best_lr(lrs, losses):\n"
_SUMM = "def summarise(curves):\n"
_SWITCH = "def train_switch(grad, loss, w0, epochs, switch_epoch, adam_lr, sgd_lr):\n"


def _best(body):
    return _BEST + "    lrs = np.asarray(lrs, dtype=float)\n    losses = np.asarray(losses, dtype=float)\n" + body


def _summ(mean="curves.mean(axis=0)", std="curves.std(axis=0, ddof=1)", best="float(curves[:, -1].min())"):
    return _SUMM + f"    curves = np.asarray(curves, dtype=float)\n    return {mean}, {std}, {best}\n"


def _switch(loop="range(1, epochs + 1)", cond="e <= switch_epoch", t="e", a_lr="adam_lr", sgd="w = w - sgd_lr * g",
            start="losses = [loss(w)]", record="losses.append(loss(w))", before="",
            adam="w, m, V = optimlab.adam_step(w, m, V, g, {t}, {a_lr}, 0.9, 0.999, 1e-8)", init="w = np.array(w0, dtype=float)"):
    adam = adam.format(t=t, a_lr=a_lr)
    return (_SWITCH + f"    {init}\n    m, V = np.zeros_like(w), np.zeros_like(w)\n    {start}\n"
            f"    for e in {loop}:\n{before}        g = grad(w)\n        if {cond}:\n            {adam}\n"
            f"        else:\n            {sgd}\n        {record}\n    return w, np.array(losses)\n")


MUTANTS = [
    # --- best_lr ----------------------------------------------------------------------------
    {"exercise": "best_lr", "name": "argmax", "code": _best("    return float(lrs[np.argmax(losses)])\n"),
     "expect": "np.argmax where the lowest loss is wanted"},
    {"exercise": "best_lr", "name": "nan not left out", "code": _best("    return float(lrs[np.argmin(losses)])\n"),
     "expect": "a diverged run (nan) was not left out"},
    {"exercise": "best_lr", "name": "min of a list with nan",
     "code": _BEST + "    losses = list(losses)\n    return float(lrs[losses.index(min(losses))])\n",
     "expect": "a diverged run (nan) was not left out"},
    {"exercise": "best_lr", "name": "nan_to_num",
     "code": _best("    return float(lrs[np.argmin(np.nan_to_num(losses))])\n"), "expect": "np.nan_to_num"},
    {"exercise": "best_lr", "name": "filtered index",
     "code": _best("    finite = np.isfinite(losses)\n    return float(lrs[np.argmin(losses[finite])])\n"),
     "expect": "used to index the unfiltered lrs"},
    {"exercise": "best_lr", "name": "last of ties",
     "code": _best("    best, best_loss = None, np.inf\n    for lr, loss in zip(lrs, losses):\n"
                   "        if np.isfinite(loss) and loss <= best_loss:\n            best, best_loss = lr, loss\n"
                   "    return float(best)\n"),
     "expect": "of equal losses you kept the last one"},
    {"exercise": "best_lr", "name": "first of ties on any grid",
     "code": _best("    return float(lrs[np.nanargmin(np.where(np.isfinite(losses), losses, np.nan))])\n"),
     "expect": "the grid here runs from large to small"},
    {"exercise": "best_lr", "name": "index returned",
     "code": _best("    finite = np.isfinite(losses)\n    low = losses[finite].min()\n"
                   "    return int(np.flatnonzero(finite & (losses == low))[np.argmin(lrs[finite & (losses == low)])])\n"),
     "expect": "you returned the position in the grid"},
    {"exercise": "best_lr", "name": "loss returned",
     "code": _best("    return float(np.min(losses[np.isfinite(losses)]))\n"),
     "expect": "you returned the lowest loss, not the learning rate"},
    {"exercise": "best_lr", "name": "last rate of the grid", "code": _best("    return float(lrs[-1])\n"),
     "expect": "the last learning rate of the grid"},
    {"exercise": "best_lr", "name": "largest stable rate",
     "code": _best("    return float(lrs[np.isfinite(losses)].max())\n"),
     "expect": "the largest learning rate that did not diverge"},
    # --- summarise --------------------------------------------------------------------------
    {"exercise": "summarise", "name": "ddof 0", "code": _summ(std="curves.std(axis=0)"),
     "expect": "np.std's default ddof=0"},
    {"exercise": "summarise", "name": "both over axis 1", "code": _summ(mean="curves.mean(axis=1)",
                                                                       std="curves.std(axis=1, ddof=1)"),
     "expect": "taken over the wrong axis"},
    {"exercise": "summarise", "name": "std over axis 1", "code": _summ(std="curves.std(axis=1, ddof=1)"),
     "expect": "`std` was taken over the wrong axis"},
    {"exercise": "summarise", "name": "variance", "code": _summ(std="curves.var(axis=0, ddof=1)"),
     "expect": "the variance (np.var), not the standard deviation"},
    {"exercise": "summarise", "name": "standard error",
     "code": _summ(std="curves.std(axis=0, ddof=1) / np.sqrt(len(curves))"),
     "expect": "the standard error of the mean"},
    {"exercise": "summarise", "name": "median", "code": _summ(mean="np.median(curves, axis=0)"),
     "expect": "the median over the seeds"},
    {"exercise": "summarise", "name": "mean of the final values", "code": _summ(mean="curves[:, -1].mean()"),
     "expect": "only the last entry of the correct result"},
    {"exercise": "summarise", "name": "best over every epoch", "code": _summ(best="float(curves.min())"),
     "expect": "the lowest loss of any seed at any epoch"},
    {"exercise": "summarise", "name": "best of the mean curve", "code": _summ(best="float(curves.mean(axis=0).min())"),
     "expect": "the minimum of the mean curve"},
    {"exercise": "summarise", "name": "index of the best seed", "code": _summ(best="int(np.argmin(curves[:, -1]))"),
     "expect": "the index of the best seed"},
    {"exercise": "summarise", "name": "max instead of min", "code": _summ(best="float(curves[:, -1].max())"),
     "expect": "max instead of min"},
    {"exercise": "summarise", "name": "best is the mean final", "code": _summ(best="float(curves[:, -1].mean())"),
     "expect": "the mean of the final losses"},
    # --- train_switch -----------------------------------------------------------------------
    {"exercise": "train_switch", "name": "0-based loop, one Adam epoch too many",
     "code": _switch(loop="range(epochs)", t="e + 1"), "expect": "Adam ran one epoch too long"},
    {"exercise": "train_switch", "name": "switch one epoch early", "code": _switch(cond="e < switch_epoch"),
     "expect": "Adam ran one epoch too short"},
    {"exercise": "train_switch", "name": "t from 0",
     "code": _switch(loop="range(epochs)", cond="e < switch_epoch"),
     "expect": "must be an integer >= 1, got 0"},
    {"exercise": "train_switch", "name": "momentum kept after the switch",
     "code": _switch(sgd="m = 0.9 * m + 0.1 * g\n            w = w - sgd_lr * m"),
     "expect": "the first moment m was kept"},
    {"exercise": "train_switch", "name": "Adam's V kept after the switch",
     "code": _switch(sgd="w = w - sgd_lr * g / (np.sqrt(V) + 1e-8)"),
     "expect": "still divided by Adam's sqrt(V)"},
    {"exercise": "train_switch", "name": "SGD at adam_lr", "code": _switch(sgd="w = w - adam_lr * g"),
     "expect": "SGD used adam_lr"},
    {"exercise": "train_switch", "name": "Adam at sgd_lr", "code": _switch(a_lr="sgd_lr"),
     "expect": "Adam used sgd_lr"},
    {"exercise": "train_switch", "name": "SGD restarts from w0",
     "code": _switch(sgd="if e == switch_epoch + 1:\n                w = np.array(w0, dtype=float)\n"
                         "            w = w - sgd_lr * g"),
     "expect": "started again from w0"},
    {"exercise": "train_switch", "name": "SGD first", "code": _switch(cond="e > epochs - switch_epoch"),
     "expect": "SGD ran first and Adam last"},
    {"exercise": "train_switch", "name": "no loss before training", "code": _switch(start="losses = []"),
     "expect": "the loss before training (epoch 0"},
    {"exercise": "train_switch", "name": "loss recorded before the step",
     "code": _switch(start="losses = []", record="", before="        losses.append(loss(w))\n"),
     "expect": "recorded before its step"},
    {"exercise": "train_switch", "name": "own Adam without bias correction",
     "code": _switch(adam="m = 0.9 * m + 0.1 * g\n            V = 0.999 * V + 0.001 * g**2\n"
                          "            w = w - adam_lr * m / (np.sqrt(V) + 1e-8)"),
     "expect": "Adam without its bias correction"},
    {"exercise": "train_switch", "name": "w0 modified in place", "code": _switch(init="w = w0", sgd="w -= sgd_lr * g"),
     "expect": "modified its input `w0` in place"},
]

CORRECT = [
    {"exercise": "best_lr", "name": "sorted pairs",
     "code": _BEST + "    pairs = sorted((float(l), float(r)) for r, l in zip(lrs, losses) if np.isfinite(l))\n"
                     "    return pairs[0][1]\n"},
    {"exercise": "best_lr", "name": "explicit loop",
     "code": _BEST + "    best = None\n    for lr, loss in zip(lrs, losses):\n"
                     "        if not np.isfinite(loss):\n            continue\n"
                     "        if best is None or loss < best[0] or (loss == best[0] and lr < best[1]):\n"
                     "            best = (loss, lr)\n    return float(best[1])\n"},
    {"exercise": "best_lr", "name": "lexsort",
     "code": _best("    ok = np.isfinite(losses)\n    return float(lrs[ok][np.lexsort((lrs[ok], losses[ok]))[0]])\n")},
    {"exercise": "summarise", "name": "by hand",
     "code": _SUMM + "    c = np.asarray(curves, dtype=float)\n    n = c.shape[0]\n    mean = c.sum(axis=0) / n\n"
                     "    std = np.sqrt(((c - mean) ** 2).sum(axis=0) / (n - 1))\n    return mean, std, min(c[:, -1])\n"},
    {"exercise": "summarise", "name": "sqrt of the variance", "code": _summ(std="np.sqrt(np.var(curves, axis=0, ddof=1))",
                                                                           best="float(np.min(curves[:, -1]))")},
    {"exercise": "summarise", "name": "transposed", "code": _summ(mean="curves.T.mean(axis=1)",
                                                                 std="curves.T.std(axis=1, ddof=1)",
                                                                 best="curves.T[-1].min()")},
    {"exercise": "train_switch", "name": "two loops",
     "code": _SWITCH + "    w = np.array(w0, dtype=float)\n    m, V = np.zeros_like(w), np.zeros_like(w)\n"
                       "    losses = [loss(w)]\n    for t in range(1, switch_epoch + 1):\n"
                       "        w, m, V = optimlab.adam_step(w, m, V, grad(w), t, adam_lr, 0.9, 0.999, 1e-8)\n"
                       "        losses.append(loss(w))\n    for _ in range(epochs - switch_epoch):\n"
                       "        w = w - sgd_lr * grad(w)\n        losses.append(loss(w))\n"
                       "    return w, np.array(losses)\n"},
    {"exercise": "train_switch", "name": "own Adam",
     "code": _switch(adam="m = 0.9 * m + 0.1 * g\n            V = 0.999 * V + 0.001 * g**2\n"
                          "            w = w - adam_lr * (m / (1 - 0.9**e)) / (np.sqrt(V / (1 - 0.999**e)) + 1e-8)")},
    {"exercise": "train_switch", "name": "the library's Optimizer",
     "code": _SWITCH + "    w = np.array(w0, dtype=float)\n    opt = optimlab.make('adam', lr=adam_lr)\n    state = opt.init(w)\n"
                       "    losses = [loss(w)]\n    for e in range(1, epochs + 1):\n"
                       "        g = grad(w)\n        if e <= switch_epoch:\n"
                       "            w, state = opt.update(w, g, state)\n        else:\n            w = w - sgd_lr * g\n"
                       "        losses.append(loss(w))\n    return w, np.array(losses)\n"},
]
