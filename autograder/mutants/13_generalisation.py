"""Answers of assignment 13_generalisation (format: README.md here).

MUTANTS: typical wrong answers; each must lose points, and its feedback must contain `expect`
(the hint that optimlab.checks.generalisation prints for that mistake). CORRECT: right answers
written differently; each must pass.
"""


def _l2(body):
    return "def l2_loss_grad(loss, g, w, lam, mask):\n" + body


def _aw(body):
    return "def adamw_step(w, m, V, g, t, lr, beta1, beta2, eps, weight_decay):\n" + body


def _sb(body):
    return "def select_best(val_losses):\n" + body


_ADAM_TAIL = ("    m = beta1 * m + (1 - beta1) * g\n"
              "    V = beta2 * V + (1 - beta2) * g**2\n"
              "    m_hat = m / (1 - beta1**t)\n"
              "    V_hat = V / (1 - beta2**t)\n")

MUTANTS = [
    # --- l2_loss_grad ---------------------------------------------------------------
    {"exercise": "l2_loss_grad", "name": "lam instead of lam/2 in the loss",
     "code": _l2("    return loss + lam * np.sum(mask * w**2), g + lam * mask * w\n"),
     "expect": "the course's convention is (lam / 2) * sum(w**2)"},
    {"exercise": "l2_loss_grad", "name": "lam/2 in the gradient",
     "code": _l2("    return loss + lam / 2 * np.sum(mask * w**2), g + lam / 2 * mask * w\n"),
     "expect": "the gradient term is (lam / 2) * w"},
    {"exercise": "l2_loss_grad", "name": "2 lam w in the gradient",
     "code": _l2("    return loss + lam / 2 * np.sum(mask * w**2), g + 2 * lam * mask * w\n"),
     "expect": "the gradient term is 2 * lam * w"},
    {"exercise": "l2_loss_grad", "name": "biases penalised (mask ignored)",
     "code": _l2("    return loss + lam / 2 * np.sum(w**2), g + lam * w\n"),
     "expect": "the biases are penalised: multiply by mask"},
    {"exercise": "l2_loss_grad", "name": "mask missing in the loss",
     "code": _l2("    return loss + 0.5 * lam * np.dot(w, w), g + lam * mask * w\n"),
     "expect": "the mask is missing in the penalty"},
    {"exercise": "l2_loss_grad", "name": "mask missing in the gradient",
     "code": _l2("    return loss + 0.5 * lam * np.sum(mask * w * w), g + lam * w\n"),
     "expect": "the mask is missing in lam * mask * w"},
    {"exercise": "l2_loss_grad", "name": "gradient term subtracted",
     "code": _l2("    return loss + 0.5 * lam * np.sum(mask * w**2), g - lam * mask * w\n"),
     "expect": "the sign of the gradient term"},
    {"exercise": "l2_loss_grad", "name": "L1 penalty",
     "code": _l2("    return loss + lam / 2 * np.sum(mask * np.abs(w)), g + lam * mask * np.sign(w)\n"),
     "expect": "this is L1 regularisation"},
    {"exercise": "l2_loss_grad", "name": "np.mean of the squares",
     "code": _l2("    return loss + lam / 2 * np.mean(mask * w**2), g + lam * mask * w\n"),
     "expect": "averages the squares (np.mean)"},
    {"exercise": "l2_loss_grad", "name": "norm not squared",
     "code": _l2("    return loss + lam / 2 * np.linalg.norm(mask * w), g + lam * mask * w\n"),
     "expect": "uses the norm ||w||, not its square"},
    {"exercise": "l2_loss_grad", "name": "penalty only in the gradient",
     "code": _l2("    return loss, g + lam * mask * w\n"),
     "expect": "the loss is returned without the penalty"},
    {"exercise": "l2_loss_grad", "name": "g updated in place",
     "code": _l2("    g += lam * mask * w\n"
                 "    return loss + lam / 2 * np.sum(mask * w**2), g\n"),
     "expect": "in place"},
    # --- adamw_step -----------------------------------------------------------------
    {"exercise": "adamw_step", "name": "decay in the gradient (Adam + L2)",
     "code": _aw("    g = g + weight_decay * w\n" + _ADAM_TAIL +
                 "    return w - lr * m_hat / (np.sqrt(V_hat) + eps), m, V\n"),
     "expect": "the decay was added to the gradient"},
    {"exercise": "adamw_step", "name": "decay divided by the adaptive denominator",
     "code": _aw(_ADAM_TAIL +
                 "    return w - lr * (m_hat + weight_decay * w) / (np.sqrt(V_hat) + eps), m, V\n"),
     "expect": "the decay is divided by the adaptive denominator"},
    {"exercise": "adamw_step", "name": "decay not multiplied by lr (the paper's form)",
     "code": _aw("    w = w * (1 - weight_decay)\n" + _ADAM_TAIL +
                 "    return w - lr * m_hat / (np.sqrt(V_hat) + eps), m, V\n"),
     "expect": "the decay is not multiplied by lr"},
    {"exercise": "adamw_step", "name": "decay after the Adam step",
     "code": _aw(_ADAM_TAIL +
                 "    w = w - lr * m_hat / (np.sqrt(V_hat) + eps)\n"
                 "    return w * (1 - lr * weight_decay), m, V\n"),
     "expect": "the decay was applied after the Adam step"},
    {"exercise": "adamw_step", "name": "decay into m",
     "code": _aw("    m = beta1 * m + (1 - beta1) * (g + weight_decay * w)\n"
                 "    V = beta2 * V + (1 - beta2) * g**2\n"
                 "    m_hat = m / (1 - beta1**t)\n"
                 "    V_hat = V / (1 - beta2**t)\n"
                 "    return w - lr * m_hat / (np.sqrt(V_hat) + eps), m, V\n"),
     "expect": "went into the first moment m"},
    {"exercise": "adamw_step", "name": "decay with the wrong sign",
     "code": _aw("    w = w * (1 + lr * weight_decay)\n" + _ADAM_TAIL +
                 "    return w - lr * m_hat / (np.sqrt(V_hat) + eps), m, V\n"),
     "expect": "the sign of the decay"},
    {"exercise": "adamw_step", "name": "no bias correction",
     "code": _aw("    w = w * (1 - lr * weight_decay)\n"
                 "    m = beta1 * m + (1 - beta1) * g\n"
                 "    V = beta2 * V + (1 - beta2) * g**2\n"
                 "    return w - lr * m / (np.sqrt(V) + eps), m, V\n"),
     "expect": "the bias correction is missing"},
    {"exercise": "adamw_step", "name": "plain Adam, decay forgotten",
     "code": _aw(_ADAM_TAIL +
                 "    return w - lr * m_hat / (np.sqrt(V_hat) + eps), m, V\n"),
     "expect": "there is no weight decay at all"},
    {"exercise": "adamw_step", "name": "w decayed in place",
     "code": _aw("    w *= 1 - lr * weight_decay\n" + _ADAM_TAIL +
                 "    return w - lr * m_hat / (np.sqrt(V_hat) + eps), m, V\n"),
     "expect": "in place"},
    # --- select_best ----------------------------------------------------------------
    {"exercise": "select_best", "name": "epoch counted from 0",
     "code": _sb("    L = np.asarray(val_losses)\n"
                 "    i, e = np.unravel_index(np.argmin(L.T), L.T.shape)[::-1]\n"
                 "    return int(i), int(e)\n"),
     "expect": "the epoch is off by one"},
    {"exercise": "select_best", "name": "argmin unravelled with the axes swapped",
     "code": _sb("    L = np.asarray(val_losses)\n"
                 "    k = np.argmin(L)\n"
                 "    return int(k % L.shape[0]), int(k // L.shape[0]) + 1\n"),
     "expect": "unravelled with the axes swapped"},
    {"exercise": "select_best", "name": "best final loss",
     "code": _sb("    L = np.asarray(val_losses)\n"
                 "    return int(np.argmin(L[:, -1])), L.shape[1]\n"),
     "expect": "the best FINAL loss"},
    {"exercise": "select_best", "name": "setting by its final loss, then its best epoch",
     "code": _sb("    L = np.asarray(val_losses)\n"
                 "    i = int(np.argmin(L[:, -1]))\n"
                 "    return i, int(np.argmin(L[i])) + 1\n"),
     "expect": "chosen by its final validation loss"},
    {"exercise": "select_best", "name": "argmax",
     "code": _sb("    L = np.asarray(val_losses)\n"
                 "    i, e = np.unravel_index(np.argmax(L), L.shape)\n"
                 "    return int(i), int(e) + 1\n"),
     "expect": "np.argmax"},
    {"exercise": "select_best", "name": "<= keeps the last tie",
     "code": _sb("    best, out = np.inf, None\n"
                 "    for e in range(len(val_losses[0])):\n"
                 "        for i in range(len(val_losses)):\n"
                 "            if val_losses[i][e] <= best:\n"
                 "                best, out = val_losses[i][e], (i, e + 1)\n"
                 "    return out\n"),
     "expect": "on a tie this returns the latest epoch"},
    {"exercise": "select_best", "name": "flat argmin, ties by setting",
     "code": _sb("    L = np.asarray(val_losses)\n"
                 "    i, e = np.unravel_index(np.argmin(L), L.shape)\n"
                 "    return int(i), int(e) + 1\n"),
     "expect": "np.argmin of the flat table, row by row"},
    {"exercise": "select_best", "name": "setting by its mean loss",
     "code": _sb("    L = np.asarray(val_losses)\n"
                 "    i = int(np.argmin(L.mean(axis=1)))\n"
                 "    return i, int(np.argmin(L[i])) + 1\n"),
     "expect": "mean validation loss"},
    {"exercise": "select_best", "name": "returns (epoch, setting)",
     "code": _sb("    L = np.asarray(val_losses)\n"
                 "    e, i = np.unravel_index(np.argmin(L.T), L.T.shape)\n"
                 "    return int(e) + 1, int(i)\n"),
     "expect": "return (setting, epoch)"},
    {"exercise": "select_best", "name": "first epoch only",
     "code": _sb("    L = np.asarray(val_losses)\n"
                 "    return int(np.argmin(L[:, 0])), 1\n"),
     "expect": "only the first epoch was looked at"},
]

CORRECT = [
    # --- l2_loss_grad ---------------------------------------------------------------
    {"exercise": "l2_loss_grad", "name": "masked weights first",
     "code": _l2("    wm = np.asarray(mask) * np.asarray(w)\n"
                 "    return loss + 0.5 * lam * float(wm @ wm), np.asarray(g) + lam * wm\n")},
    {"exercise": "l2_loss_grad", "name": "penalty through np.square and a copy of g",
     "code": _l2("    g_reg = np.array(g, dtype=float)\n"
                 "    g_reg = g_reg + lam * np.where(np.asarray(mask) > 0, w, 0.0)\n"
                 "    return loss + lam * np.sum(np.square(w) * mask) / 2, g_reg\n")},
    {"exercise": "l2_loss_grad", "name": "a loop over the parameters",
     "code": _l2("    penalty, g_reg = 0.0, np.array(g, dtype=float)\n"
                 "    for i in range(len(w)):\n"
                 "        if mask[i]:\n"
                 "            penalty += w[i] ** 2\n"
                 "            g_reg[i] += lam * w[i]\n"
                 "    return loss + lam / 2 * penalty, g_reg\n")},
    # --- adamw_step -----------------------------------------------------------------
    {"exercise": "adamw_step", "name": "decay term subtracted with the step",
     "code": _aw(_ADAM_TAIL +
                 "    return w - lr * weight_decay * w - lr * m_hat / (np.sqrt(V_hat) + eps), m, V\n")},
    {"exercise": "adamw_step", "name": "torch's step size with bias corrections folded in",
     "code": _aw("    w = w * (1.0 - lr * weight_decay)\n"
                 "    m = beta1 * m + (1.0 - beta1) * g\n"
                 "    V = beta2 * V + (1.0 - beta2) * g * g\n"
                 "    bc1, bc2 = 1.0 - beta1**t, 1.0 - beta2**t\n"
                 "    denom = np.sqrt(V) / np.sqrt(bc2) + eps\n"
                 "    return w - (lr / bc1) * m / denom, m, V\n")},
    {"exercise": "adamw_step", "name": "incremental EMAs, float copies",
     "code": _aw("    w, m, V, g = (np.array(x, dtype=float) for x in (w, m, V, g))\n"
                 "    m = m + (1 - beta1) * (g - m)\n"
                 "    V = V + (1 - beta2) * (g**2 - V)\n"
                 "    step = lr * (m / (1 - beta1**t)) / (np.sqrt(V / (1 - beta2**t)) + eps)\n"
                 "    return (1 - lr * weight_decay) * w - step, m, V\n")},
    # --- select_best ----------------------------------------------------------------
    {"exercise": "select_best", "name": "argmin over the transposed table",
     "code": _sb("    L = np.asarray(val_losses, dtype=float)\n"
                 "    e, i = np.unravel_index(np.argmin(L.T), L.T.shape)\n"
                 "    return int(i), int(e) + 1\n")},
    {"exercise": "select_best", "name": "min over tuples (epoch, setting)",
     "code": _sb("    best = min((v, e, i) for i, row in enumerate(val_losses) for e, v in enumerate(row))\n"
                 "    return best[2], best[1] + 1\n")},
    {"exercise": "select_best", "name": "strict < in an epoch-major loop",
     "code": _sb("    best, out = float('inf'), None\n"
                 "    for e in range(len(val_losses[0])):\n"
                 "        for i in range(len(val_losses)):\n"
                 "            if val_losses[i][e] < best:\n"
                 "                best, out = val_losses[i][e], (i, e + 1)\n"
                 "    return out\n")},
]
