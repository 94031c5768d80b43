"""Answers of assignment 10_schedules (format: README.md here).

MUTANTS: typical wrong answers; each must lose points, and its feedback must contain `expect`
(the hint that optimlab.checks.schedules prints for that mistake). CORRECT: right answers written
differently; each must pass.
"""


def _wc(body):
    return "def warmup_cosine_lr(t, lr0, warmup_steps, total_steps, lr_min):\n" + body


def _ia(body):
    return "def iterate_average(ws, start):\n" + body


def _es(body):
    return "def early_stopping(val_losses, patience, min_delta):\n" + body


_WC_RIGHT_TAIL = (
    "    s = (t - 1 - W) / (T - W)\n"
    "    return lr_min + (lr0 - lr_min) * 0.5 * (1 + np.cos(np.pi * s))\n"
)

_ES_LOOP = (
    "    best, best_epoch, wait = np.inf, 0, 0\n"
    "    for epoch, loss in enumerate(val_losses, start=1):\n"
    "        if loss < best - min_delta:\n"
    "            best, best_epoch, wait = loss, epoch, 0\n"
    "        else:\n"
    "            wait += 1\n"
    "        if wait >= patience:\n"
    "            return epoch, best_epoch\n"
    "    return len(val_losses), best_epoch\n"
)

MUTANTS = [
    # --- warmup_cosine_lr -------------------------------------------------------------
    {"exercise": "warmup_cosine_lr", "name": "cosine from t - W (no t - 1)",
     "code": _wc("    W, T = warmup_steps, total_steps\n"
                 "    if t <= W:\n        return lr0 * t / W\n"
                 "    if t > T:\n        return lr_min\n"
                 "    s = (t - W) / (T - W)\n"
                 "    return lr_min + (lr0 - lr_min) * 0.5 * (1 + np.cos(np.pi * s))\n"),
     "expect": "the cosine starts one step late or early"},
    {"exercise": "warmup_cosine_lr", "name": "warm-up (t - 1) / W",
     "code": _wc("    W, T = warmup_steps, total_steps\n"
                 "    if t <= W:\n        return lr0 * (t - 1) / W\n"
                 "    if t > T:\n        return lr_min\n" + _WC_RIGHT_TAIL),
     "expect": "the warm-up is off by one"},
    {"exercise": "warmup_cosine_lr", "name": "warm-up ends at t < W",
     "code": _wc("    W, T = warmup_steps, total_steps\n"
                 "    if t < W:\n        return lr0 * t / W\n"
                 "    if t > T:\n        return lr_min\n" + _WC_RIGHT_TAIL),
     "expect": "the warm-up ends one step early"},
    {"exercise": "warmup_cosine_lr", "name": "cosine over T, not T - W",
     "code": _wc("    W, T = warmup_steps, total_steps\n"
                 "    if t <= W:\n        return lr0 * t / W\n"
                 "    if t > T:\n        return lr_min\n"
                 "    s = (t - 1 - W) / T\n"
                 "    return lr_min + (lr0 - lr_min) * 0.5 * (1 + np.cos(np.pi * s))\n"),
     "expect": "the cosine runs over T instead of T - W steps"},
    {"exercise": "warmup_cosine_lr", "name": "no factor 1/2",
     "code": _wc("    W, T = warmup_steps, total_steps\n"
                 "    if t <= W:\n        return lr0 * t / W\n"
                 "    if t > T:\n        return lr_min\n"
                 "    s = (t - 1 - W) / (T - W)\n"
                 "    return lr_min + (lr0 - lr_min) * (1 + np.cos(np.pi * s))\n"),
     "expect": "the factor 1/2 is missing"},
    {"exercise": "warmup_cosine_lr", "name": "cos(2 pi s)",
     "code": _wc("    W, T = warmup_steps, total_steps\n"
                 "    if t <= W:\n        return lr0 * t / W\n"
                 "    if t > T:\n        return lr_min\n"
                 "    s = (t - 1 - W) / (T - W)\n"
                 "    return lr_min + (lr0 - lr_min) * 0.5 * (1 + np.cos(2 * np.pi * s))\n"),
     "expect": "a full cosine period"},
    {"exercise": "warmup_cosine_lr", "name": "lr_min forgotten in the cosine",
     "code": _wc("    W, T = warmup_steps, total_steps\n"
                 "    if t <= W:\n        return lr0 * t / W\n"
                 "    if t > T:\n        return lr_min\n"
                 "    s = (t - 1 - W) / (T - W)\n"
                 "    return lr0 * 0.5 * (1 + np.cos(np.pi * s))\n"),
     "expect": "lr_min is left out of the cosine"},
    {"exercise": "warmup_cosine_lr", "name": "lr_min added on top",
     "code": _wc("    W, T = warmup_steps, total_steps\n"
                 "    if t <= W:\n        return lr0 * t / W\n"
                 "    if t > T:\n        return lr_min\n"
                 "    s = (t - 1 - W) / (T - W)\n"
                 "    return lr_min + lr0 * 0.5 * (1 + np.cos(np.pi * s))\n"),
     "expect": "lr_min is added on top"},
    {"exercise": "warmup_cosine_lr", "name": "linear decay",
     "code": _wc("    W, T = warmup_steps, total_steps\n"
                 "    if t <= W:\n        return lr0 * t / W\n"
                 "    if t > T:\n        return lr_min\n"
                 "    s = (t - 1 - W) / (T - W)\n"
                 "    return lr_min + (lr0 - lr_min) * (1 - s)\n"),
     "expect": "a linear decay"},
    {"exercise": "warmup_cosine_lr", "name": "no floor after T (torch's CosineAnnealingLR)",
     "code": _wc("    W, T = warmup_steps, total_steps\n"
                 "    if t <= W:\n        return lr0 * t / W\n" + _WC_RIGHT_TAIL),
     "expect": "after step T the rate must stay at lr_min"},
    {"exercise": "warmup_cosine_lr", "name": "the library's 0-based index as t",
     "code": _wc("    W, T = warmup_steps, total_steps\n"
                 "    if t < W:\n        return lr0 * (t + 1) / W\n"
                 "    if t >= T:\n        return lr_min\n"
                 "    s = (t - W) / (T - W)\n"
                 "    return lr_min + (lr0 - lr_min) * 0.5 * (1 + np.cos(np.pi * s))\n"),
     "expect": "the library's 0-based index"},
    {"exercise": "warmup_cosine_lr", "name": "warm-up from lr_min",
     "code": _wc("    W, T = warmup_steps, total_steps\n"
                 "    if t <= W:\n        return lr_min + (lr0 - lr_min) * t / W\n"
                 "    if t > T:\n        return lr_min\n" + _WC_RIGHT_TAIL),
     "expect": "the warm-up climbs from lr_min"},
    # --- iterate_average --------------------------------------------------------------
    {"exercise": "iterate_average", "name": "average from row 0",
     "code": _ia("    ws = np.asarray(ws, dtype=float)\n"
                 "    return np.cumsum(ws, axis=0) / np.arange(1, len(ws) + 1).reshape((-1,) + (1,) * (ws.ndim - 1))\n"),
     "expect": "the average starts at row 0"},
    {"exercise": "iterate_average", "name": "count t - start",
     "code": _ia("    ws = np.asarray(ws, dtype=float)\n"
                 "    out = ws.copy()\n"
                 "    total = np.zeros_like(ws[0])\n"
                 "    for t in range(start, len(ws)):\n"
                 "        total = total + ws[t]\n"
                 "        out[t] = total / max(t - start, 1)\n"
                 "    return out\n"),
     "expect": "the count is one too small"},
    {"exercise": "iterate_average", "name": "divides by t + 1",
     "code": _ia("    ws = np.asarray(ws, dtype=float)\n"
                 "    out = ws.copy()\n"
                 "    total = np.zeros_like(ws[0])\n"
                 "    for t in range(start, len(ws)):\n"
                 "        total = total + ws[t]\n"
                 "        out[t] = total / (t + 1)\n"
                 "    return out\n"),
     "expect": "divided by t + 1"},
    {"exercise": "iterate_average", "name": "zeros before start",
     "code": _ia("    ws = np.asarray(ws, dtype=float)\n"
                 "    out = np.zeros_like(ws)\n"
                 "    for t in range(start, len(ws)):\n"
                 "        out[t] = ws[start:t + 1].mean(axis=0)\n"
                 "    return out\n"),
     "expect": "the rows before `start` are zeros"},
    {"exercise": "iterate_average", "name": "running sum",
     "code": _ia("    ws = np.asarray(ws, dtype=float)\n"
                 "    out = ws.copy()\n"
                 "    out[start:] = np.cumsum(ws[start:], axis=0)\n"
                 "    return out\n"),
     "expect": "a running sum, not an average"},
    {"exercise": "iterate_average", "name": "EMA with 0.9",
     "code": _ia("    ws = np.asarray(ws, dtype=float)\n"
                 "    out = ws.copy()\n"
                 "    for t in range(start + 1, len(ws)):\n"
                 "        out[t] = 0.9 * out[t - 1] + 0.1 * ws[t]\n"
                 "    return out\n"),
     "expect": "an exponentially weighted average"},
    {"exercise": "iterate_average", "name": "mean of all rows from start",
     "code": _ia("    ws = np.asarray(ws, dtype=float)\n"
                 "    out = ws.copy()\n"
                 "    out[start:] = ws[start:].mean(axis=0)\n"
                 "    return out\n"),
     "expect": "the mean of ALL the iterates"},
    {"exercise": "iterate_average", "name": "recursion with 1 / (t - start)",
     "code": _ia("    ws = np.asarray(ws, dtype=float)\n"
                 "    out = ws.copy()\n"
                 "    for t in range(start + 1, len(ws)):\n"
                 "        out[t] = out[t - 1] + (ws[t] - out[t - 1]) / (t - start)\n"
                 "    return out\n"),
     "expect": "a division by t - start instead of"},
    {"exercise": "iterate_average", "name": "averages the coordinates (axis=1)",
     "code": _ia("    ws = np.asarray(ws, dtype=float)\n"
                 "    out = ws.copy()\n"
                 "    out[start:] = np.cumsum(ws[start:], axis=1) / np.arange(1, ws.shape[1] + 1)\n"
                 "    return out\n"),
     "expect": "the average runs over the coordinates"},
    {"exercise": "iterate_average", "name": "modifies ws in place",
     "code": _ia("    for t in range(start + 1, len(ws)):\n"
                 "        ws[t] = ws[t - 1] + (ws[t] - ws[t - 1]) / (t - start + 1)\n"
                 "    return ws\n"),
     "expect": "in place"},
    {"exercise": "iterate_average", "name": "only the final average",
     "code": _ia("    ws = np.asarray(ws, dtype=float)\n"
                 "    return ws[start:].mean(axis=0)\n"),
     "expect": "is only the last entry of the correct result"},
    # --- early_stopping ---------------------------------------------------------------
    {"exercise": "early_stopping", "name": "epochs from 0",
     "code": _es("    best, best_epoch, wait = np.inf, 0, 0\n"
                 "    for epoch, loss in enumerate(val_losses):\n"
                 "        if loss < best - min_delta:\n"
                 "            best, best_epoch, wait = loss, epoch, 0\n"
                 "        else:\n"
                 "            wait += 1\n"
                 "        if wait >= patience:\n"
                 "            return epoch, best_epoch\n"
                 "    return len(val_losses) - 1, best_epoch\n"),
     "expect": "the epochs are counted from 0"},
    {"exercise": "early_stopping", "name": "<= counts ties",
     "code": _es(_ES_LOOP.replace("loss < best - min_delta", "loss <= best - min_delta")),
     "expect": "a tie counts as an improvement"},
    {"exercise": "early_stopping", "name": "wait > patience",
     "code": _es(_ES_LOOP.replace("wait >= patience", "wait > patience")),
     "expect": "training stops one epoch late"},
    {"exercise": "early_stopping", "name": "min_delta ignored",
     "code": _es(_ES_LOOP.replace("loss < best - min_delta", "loss < best")),
     "expect": "min_delta is ignored"},
    {"exercise": "early_stopping", "name": "relative min_delta",
     "code": _es(_ES_LOOP.replace("loss < best - min_delta", "loss < best * (1 - min_delta)")),
     "expect": "min_delta is used as a relative threshold"},
    {"exercise": "early_stopping", "name": "best lowered by small improvements",
     "code": _es("    best, best_epoch, wait = np.inf, 0, 0\n"
                 "    for epoch, loss in enumerate(val_losses, start=1):\n"
                 "        if loss < best - min_delta:\n"
                 "            best_epoch, wait = epoch, 0\n"
                 "        else:\n"
                 "            wait += 1\n"
                 "        best = min(best, loss)\n"
                 "        if wait >= patience:\n"
                 "            return epoch, best_epoch\n"
                 "    return len(val_losses), best_epoch\n"),
     "expect": "best was lowered by an epoch that did not improve"},
    {"exercise": "early_stopping", "name": "keeps the last weights",
     "code": _es(_ES_LOOP.replace("            return epoch, best_epoch", "            return epoch, epoch")
                 .replace("    return len(val_losses), best_epoch", "    return len(val_losses), len(val_losses)")),
     "expect": "best_epoch is the epoch training stopped at"},
    {"exercise": "early_stopping", "name": "wait never reset",
     "code": _es(_ES_LOOP.replace("best, best_epoch, wait = loss, epoch, 0", "best, best_epoch = loss, epoch")),
     "expect": "wait is not reset to 0"},
    {"exercise": "early_stopping", "name": "compares with the previous epoch",
     "code": _es("    prev, best, best_epoch, wait = np.inf, np.inf, 0, 0\n"
                 "    for epoch, loss in enumerate(val_losses, start=1):\n"
                 "        wait = 0 if loss < prev - min_delta else wait + 1\n"
                 "        if loss < best:\n"
                 "            best, best_epoch = loss, epoch\n"
                 "        prev = loss\n"
                 "        if wait >= patience:\n"
                 "            return epoch, best_epoch\n"
                 "    return len(val_losses), best_epoch\n"),
     "expect": "compared with the previous epoch"},
    {"exercise": "early_stopping", "name": "argmin of the whole list",
     "code": _es("    best, wait = np.inf, 0\n"
                 "    stop = len(val_losses)\n"
                 "    for epoch, loss in enumerate(val_losses, start=1):\n"
                 "        if loss < best - min_delta:\n"
                 "            best, wait = loss, 0\n"
                 "        else:\n"
                 "            wait += 1\n"
                 "        if wait >= patience:\n"
                 "            stop = epoch\n"
                 "            break\n"
                 "    return stop, int(np.argmin(val_losses)) + 1\n"),
     "expect": "the argmin of the whole list"},
    {"exercise": "early_stopping", "name": "returns (best, stop)",
     "code": _es(_ES_LOOP.replace("            return epoch, best_epoch", "            return best_epoch, epoch")
                 .replace("    return len(val_losses), best_epoch", "    return best_epoch, len(val_losses)")),
     "expect": "return (stop_epoch, best_epoch)"},
    {"exercise": "early_stopping", "name": "None when it never stops",
     "code": _es(_ES_LOOP.replace("    return len(val_losses), best_epoch", "    return None, best_epoch")),
     "expect": "return the last epoch, len(val_losses)"},
]

CORRECT = [
    # --- warmup_cosine_lr
    {"exercise": "warmup_cosine_lr", "name": "the library's schedule at t - 1",
     "code": _wc("    sched = optimlab.schedules.warmup_cosine(lr0, warmup_steps, total_steps, lr_min)\n"
                 "    return sched(t - 1)\n")},
    {"exercise": "warmup_cosine_lr", "name": "math.cos and min(...)",
     "code": _wc("    import math\n"
                 "    if t <= warmup_steps:\n"
                 "        return lr0 * t / warmup_steps\n"
                 "    s = min(1.0, (t - 1 - warmup_steps) / (total_steps - warmup_steps))\n"
                 "    return lr_min + (lr0 - lr_min) * (1 + math.cos(math.pi * s)) / 2\n")},
    {"exercise": "warmup_cosine_lr", "name": "cosine written as cos^2",
     "code": _wc("    W, T = warmup_steps, total_steps\n"
                 "    if t <= W:\n        return lr0 * t / W\n"
                 "    if t > T:\n        return lr_min\n"
                 "    s = (t - 1 - W) / (T - W)\n"
                 "    return float(lr_min + (lr0 - lr_min) * np.cos(np.pi * s / 2) ** 2)\n")},
    # --- iterate_average
    {"exercise": "iterate_average", "name": "np.cumsum",
     "code": _ia("    ws = np.array(ws, dtype=float)\n"
                 "    counts = np.arange(1, len(ws) - start + 1).reshape((-1,) + (1,) * (ws.ndim - 1))\n"
                 "    ws[start:] = np.cumsum(ws[start:], axis=0) / counts\n"
                 "    return ws\n")},
    {"exercise": "iterate_average", "name": "mean of a slice per row",
     "code": _ia("    ws = np.asarray(ws, dtype=float)\n"
                 "    rows = [ws[t] if t < start else ws[start:t + 1].mean(axis=0) for t in range(len(ws))]\n"
                 "    return np.array(rows)\n")},
    {"exercise": "iterate_average", "name": "the library's polyak_average",
     "code": _ia("    from optimlab.averaging import polyak_average\n"
                 "    return polyak_average(ws, start)\n")},
    # --- early_stopping
    {"exercise": "early_stopping", "name": "best - loss > min_delta, while loop",
     "code": _es("    best, best_epoch, wait, epoch = float('inf'), 0, 0, 0\n"
                 "    while epoch < len(val_losses):\n"
                 "        loss = val_losses[epoch]\n"
                 "        epoch += 1\n"
                 "        if best - loss > min_delta:\n"
                 "            best, best_epoch, wait = loss, epoch, 0\n"
                 "        else:\n"
                 "            wait += 1\n"
                 "            if wait == patience:\n"
                 "                break\n"
                 "    return epoch, best_epoch\n")},
    {"exercise": "early_stopping", "name": "epochs since the best",
     "code": _es("    best, best_epoch = np.inf, 0\n"
                 "    for epoch in range(1, len(val_losses) + 1):\n"
                 "        if val_losses[epoch - 1] < best - min_delta:\n"
                 "            best, best_epoch = val_losses[epoch - 1], epoch\n"
                 "        elif epoch - best_epoch >= patience:\n"
                 "            return epoch, best_epoch\n"
                 "    return len(val_losses), best_epoch\n")},
    {"exercise": "early_stopping", "name": "the library's stopping_epochs",
     "code": _es("    from optimlab.stopping import stopping_epochs\n"
                 "    return stopping_epochs(val_losses, patience, min_delta)\n")},
]
