"""Typical wrong answers of assignment 05_nesterov, for the "wrong implementations score less"
test: each must lose points, and its feedback must contain `expect` (the hint that
optimlab.checks.nesterov prints for that mistake)."""

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
]
