"""Answers to the exercise of assignment 05_nesterov (format: autograder/mutants/README.md).

MUTANTS: wrong answers learners write; each must lose points and its feedback must contain
`expect`, a keyword that describes the actual mistake. CORRECT: right answers written
differently; each must pass. `"pending"` marks what the checks do not handle yet
(tests/test_catalogue.py runs them as xfail).
"""

_NAG = "def nesterov_step(w, v, g, lr, mu):\n"

MUTANTS = [
    {"exercise": "nesterov_step", "name": "plain heavy-ball update",
     "code": ("def nesterov_step(w, v, g, lr, mu):\n"
              "    v = mu * v + g\n"
              "    return w - lr * v, v\n"),
     "expect": "this is the plain heavy-ball update"},
    {"exercise": "nesterov_step", "name": "old v in the look-ahead term",
     "code": ("def nesterov_step(w, v, g, lr, mu):\n"
              "    w_new = w - lr * (g + mu * v)\n"
              "    v = mu * v + g\n"
              "    return w_new, v\n"),
     "expect": "uses the NEW v in the look-ahead term"},
    {"exercise": "nesterov_step", "name": "g + v without mu",
     "code": ("def nesterov_step(w, v, g, lr, mu):\n"
              "    v = mu * v + g\n"
              "    return w - lr * (g + v), v\n"),
     "expect": "g + v instead of g + mu * v"},
    {"exercise": "nesterov_step", "name": "EMA factor (1-mu)",
     "code": ("def nesterov_step(w, v, g, lr, mu):\n"
              "    v = mu * v + (1 - mu) * g\n"
              "    return w - lr * (g + mu * v), v\n"),
     "expect": "the factor (1 - mu) belongs to the EMA form"},
    {"exercise": "nesterov_step", "name": "minus sign on the momentum term",
     "code": ("def nesterov_step(w, v, g, lr, mu):\n"
              "    v = mu * v + g\n"
              "    return w - lr * (g - mu * v), v\n"),
     "expect": "the sign of the momentum term"},
    {"exercise": "nesterov_step", "name": "gradient ascent",
     "code": ("def nesterov_step(w, v, g, lr, mu):\n"
              "    v = mu * v + g\n"
              "    return w + lr * (g + mu * v), v\n"),
     "expect": "the step goes downhill"},
    {"exercise": "nesterov_step", "name": "velocity updated in place",
     "code": ("def nesterov_step(w, v, g, lr, mu):\n"
              "    v *= mu\n"
              "    v += g\n"
              "    return w - lr * (g + mu * v), v\n"),
     "expect": "modified its input `v` in place"},
    # the Keras / Sutskever convention: lr inside the velocity
    {"exercise": "nesterov_step", "name": "lr inside the velocity",
     "code": (_NAG +
              "    v = mu * v + lr * g\n"
              "    return w - (lr * g + mu * v), v\n"),
     "expect": "lr went into the velocity"},
    # CS231n's notes: v_prev = v; v = mu * v - learning_rate * dx; x += -mu * v_prev + (1 + mu) * v
    {"exercise": "nesterov_step", "name": "CS231n form (v = mu*v - lr*g)",
     "code": (_NAG +
              "    v_prev = v\n"
              "    v = mu * v - lr * g\n"
              "    return w - mu * v_prev + (1 + mu) * v, v\n"),
     "expect": "lr went into the velocity"},
    {"exercise": "nesterov_step", "name": "returns (v, w)",
     "code": (_NAG +
              "    v = mu * v + g\n"
              "    return v, w - lr * (g + mu * v)\n"),
     "expect": "wrong order"},
    {"exercise": "nesterov_step", "name": "learning rate forgotten",
     "code": (_NAG +
              "    v = mu * v + g\n"
              "    return w - (g + mu * v), v\n"),
     "expect": "the learning rate is missing"},
    # expanded with the old v, w - lr * ((1 + mu) * g + mu**2 * v), but with mu for mu**2
    {"exercise": "nesterov_step", "name": "expanded form with mu instead of mu**2",
     "code": (_NAG +
              "    w_new = w - lr * ((1 + mu) * g + mu * v)\n"
              "    return w_new, mu * v + g\n"),
     "expect": "mu**2"},
    # the step expanded by hand, lr kept on g only
    {"exercise": "nesterov_step", "name": "lr on g only",
     "code": (_NAG +
              "    v = mu * v + g\n"
              "    return w - lr * g - mu * v, v\n"),
     "expect": "lr is missing"},
    {"exercise": "nesterov_step", "name": "w updated in place",
     "code": (_NAG +
              "    v = mu * v + g\n"
              "    w -= lr * (g + mu * v)\n"
              "    return w, v\n"),
     "expect": "modified its input `w` in place"},
    # the new velocity is computed under another name, and the old one returned
    {"exercise": "nesterov_step", "name": "returns the old v",
     "code": (_NAG +
              "    v_new = mu * v + g\n"
              "    return w - lr * (g + mu * v_new), v\n"),
     "expect": "returned unchanged"},
    # np.empty_like(w) holds integers when w does: the new w is truncated
    {"exercise": "nesterov_step", "name": "np.empty_like(w) truncates integers",
     "code": (_NAG +
              "    v = mu * v + g\n"
              "    w_new = np.empty_like(w)\n"
              "    w_new[...] = w - lr * (g + mu * v)\n"
              "    return w_new, v\n"),
     "expect": "integer"},
    {"exercise": "nesterov_step", "name": "returns only w",
     "code": (_NAG +
              "    v = mu * v + g\n"
              "    return w - lr * (g + mu * v)\n"),
     "expect": "tuple (w, v)"},
]

CORRECT = [
    {"exercise": "nesterov_step", "name": "expanded with the old v",
     "code": (_NAG +
              "    w_new = w - lr * ((1 + mu) * g + mu**2 * v)\n"
              "    return w_new, mu * v + g\n")},
    {"exercise": "nesterov_step", "name": "look-ahead direction named",
     "code": (_NAG +
              "    v = g + mu * v\n"
              "    direction = g + mu * v\n"
              "    return w - lr * direction, v\n")},
    {"exercise": "nesterov_step", "name": "in place on float copies",
     "code": (_NAG +
              "    v = np.array(v, dtype=float)\n"
              "    v *= mu\n"
              "    v += g\n"
              "    w = np.array(w, dtype=float)\n"
              "    w -= lr * g + lr * mu * v\n"
              "    return w, v\n")},
    {"exercise": "nesterov_step", "name": "returns a list [w, v]",
     "code": (_NAG +
              "    v_new = np.add(np.multiply(mu, v), g)\n"
              "    return [w - lr * g - lr * mu * v_new, v_new]\n")},
]
