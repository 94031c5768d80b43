"""While an assignment is graded, its exercises' references are not in the learner's view.

``references(calls)`` finds, in the grader's process, the reference implementations the
assignment's checks compare against: each check is run once with the engine's
``check_function`` / ``check_steps`` / ``check_composite`` replaced by recorders, which
keep the ``reference`` (and composite ``helpers``) they are given. A reference that is a
lambda or a local function stands for the library functions it calls, which are taken
instead.

``build_overlay(refs, dest, guards)`` writes a copy of the ``optimlab`` package in which
the body of each of those functions is replaced by ``raise RuntimeError(<why>)``
(signature, decorators and docstring kept, so every alias of the function, registry
entries included, raises too). The sandbox mounts that copy read-only over the package, so
an answer that delegates to the reference, or a demo cell that uses it, raises an error
saying why; the grader's own process keeps the real package for the checks.

Some library functions compute an exercise's answer under another name, for one choice of
their arguments: the frame of notebook 08 (``frame_step(..., "sgdm")`` is ``momentum_step``),
``adamw_step`` with no weight decay is ``adam_step``, ``rmsprop_full_step`` without
centering or momentum is ``rmsprop_step``, ``momentum_step`` with ``beta = 0`` is
``gd_step``. ``equivalents(calls)`` (the table ``EQUIVALENTS``) gives those functions a
*guard* instead of a stub: a first line that raises the same kind of error when they are
called with that choice, so other uses (a demo of centered RMSprop, AdamW with decay) work.
"""
from __future__ import annotations

import ast
import importlib
import inspect
import shutil
import subprocess
import sys
from pathlib import Path

MESSAGE = ("{name} is the reference answer of an exercise being graded: it is not available "
           "while the notebook is graded. Write the formula yourself instead of calling it.")
GUARD_MESSAGE = ("{name}, called this way, computes {exercise} (an exercise being graded): that use is "
                 "not available while the notebook is graded. Write the formula yourself instead of "
                 "calling it.")
WHOLE_MESSAGE = ("{name} computes {exercise} (an exercise being graded): it is not available while the "
                 "notebook is graded. Write the formula yourself instead of calling it.")

_OPT, _FRAME = "optimlab.optimizers", "optimlab.frame"
_SMALL = "np.max(np.abs({})) < 1e-5"  # closer to 0 than the checks' tolerance can tell apart
#: exercise -> [(module, function, condition on that function's arguments under which it
#: computes the exercise's answer)]. Conditions are Python expressions evaluated at the top
#: of the function (its module's names, e.g. np and frame._method, are available).
EQUIVALENTS = {
    "gd_step": [
        (_OPT, "momentum_step", _SMALL.format("beta")),
        (_OPT, "heavy_ball_step", _SMALL.format("mu")),
        (_OPT, "nesterov_step", _SMALL.format("mu")),
        (_FRAME, "frame_step", "_method(method) == 'sgd' or (_method(method) == 'sgdm' and "
                               + _SMALL.format("beta1") + ")"),
    ],
    "ema": [(_FRAME, "first_moment", "_method(method) in ('sgdm', 'adam')")],
    "momentum_step": [
        (_FRAME, "frame_step", "_method(method) == 'sgdm'"),
        (_FRAME, "first_moment", "_method(method) in ('sgdm', 'adam')"),
    ],
    "adagrad_step": [
        (_FRAME, "frame_step", "_method(method) == 'adagrad'"),
        (_FRAME, "second_moment", "_method(method) == 'adagrad'"),
    ],
    "rmsprop_step": [
        (_OPT, "rmsprop_full_step", "not centered and " + _SMALL.format("momentum")),
        (_FRAME, "frame_step", "_method(method) == 'rmsprop'"),
        (_FRAME, "second_moment", "_method(method) in ('rmsprop', 'adam')"),
    ],
    # The library's function of the exercise under another name (what the check's reference
    # wraps): refused whole while the exercise is graded. "Class.method" names a method.
    "warmup_cosine_lr": [("optimlab.schedules", "warmup_cosine.value", "True")],
    "iterate_average": [("optimlab.averaging", "polyak_average", "True")],
    "early_stopping": [("optimlab.stopping", "stopping_epochs", "True")],
    "l2_loss_grad": [("optimlab.regularisation", "regularised_loss_grad", "True")],
    "train_switch": [("optimlab.compare", "switch_run", "True")],
    # the frame exercise writes both rules itself (its answer cell defines them)
    "frame_step": [(_FRAME, "first_moment", "True"), (_FRAME, "second_moment", "True")],
    "adam_step": [
        (_OPT, "adamw_step", _SMALL.format("lr * weight_decay")),
        # the running maximum never binds: AMSGrad's step is Adam's
        (_OPT, "amsgrad_step", "np.all(V_max <= beta2 * V + (1 - beta2) * g * g)"),
        (_FRAME, "frame_step", "_method(method) == 'adam'"),
        (_FRAME, "first_moment", "_method(method) == 'adam'"),
        (_FRAME, "second_moment", "_method(method) == 'adam'"),
    ],
}


class _Stop(Exception):
    pass


def _library_function(obj):
    """(module, name) if obj is a module-level function of optimlab, else None."""
    obj = inspect.unwrap(obj) if callable(obj) else obj
    module = getattr(obj, "__module__", "") or ""
    name = getattr(obj, "__name__", "")
    if not module.startswith("optimlab") or not inspect.isfunction(obj):
        return None
    if getattr(obj, "__qualname__", "") != name:
        return None
    mod = sys.modules.get(module)
    target = getattr(mod, name, None)
    if target is not None and (inspect.unwrap(target) is obj):
        return module, name
    return None


def _resolve(ref, depth: int = 0) -> set[tuple[str, str]]:
    found = _library_function(ref)
    if found:
        return {found}
    if depth > 1 or not inspect.isfunction(inspect.unwrap(ref)):
        return set()
    fn = inspect.unwrap(ref)
    out = set()
    names = set(fn.__code__.co_names)
    for const in fn.__code__.co_consts:  # nested lambdas
        if inspect.iscode(const):
            names |= set(const.co_names)
    for name in names:
        value = fn.__globals__.get(name)
        if callable(value):
            out |= _resolve(value, depth + 1)
    for cell in fn.__closure__ or ():
        try:
            value = cell.cell_contents
        except ValueError:
            continue
        if callable(value):
            out |= _resolve(value, depth + 1)
    return out


def references(calls) -> set[tuple[str, str]]:
    """(module, function) of the references behind the given check calls."""
    from optimlab.checks import engine

    refs: set[tuple[str, str]] = set()
    for call in calls:
        module = importlib.import_module(call.module)
        check = getattr(module, call.function, None)
        if not callable(check):
            continue
        recorded: list = []

        def record_fn(fn, reference=None, *args, **kwargs):
            recorded.append(reference if reference is not None else kwargs.get("reference"))
            raise _Stop

        def record_composite(fn, run, *args, helpers=None, **kwargs):
            recorded.extend((helpers or {}).values())
            try:
                run(fn)
            except _Stop:
                pass
            raise _Stop

        patched = {"check_function": record_fn, "check_steps": record_fn,
                   "check_composite": record_composite}
        saved = []
        for namespace in (module.__dict__, engine.__dict__):
            for name, fake in patched.items():
                if name in namespace:
                    saved.append((namespace, name, namespace[name]))
                    namespace[name] = fake

        def dummy(*args, **kwargs):
            raise NotImplementedError()
        dummy.__name__ = call.learner
        try:
            check(dummy, **call.kwargs)
        except Exception:  # noqa: BLE001 - _Stop, or a check that calls the learner first
            pass
        finally:
            for namespace, name, value in saved:
                namespace[name] = value
        found = set()
        for ref in recorded:
            if callable(ref):
                found |= _resolve(ref)
        # checks that call the learner before the engine: the conventional names
        for name in (f"reference_{call.learner}", f"_reference_{call.learner}",
                     f"_ref_{call.learner}"):
            if callable(module.__dict__.get(name)):
                found |= _resolve(module.__dict__[name])
        found |= library_namesakes(call.learner)
        refs |= found
    return refs


def equivalents(calls) -> dict[tuple[str, str], list[tuple[str, str]]]:
    """(module, function) -> [(condition, exercise)]: the guards of EQUIVALENTS for the
    exercises these check calls grade."""
    out: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for exercise in dict.fromkeys(call.learner for call in calls):
        for module, name, condition in EQUIVALENTS.get(exercise, []):
            out.setdefault((module, name), []).append((condition, exercise))
    return out


def library_namesakes(name: str) -> set[tuple[str, str]]:
    """The library's own function of the exercise's name (optimlab.optimizers.momentum_step
    for the exercise momentum_step), wherever the check's reference wraps it."""
    import pkgutil

    import optimlab

    out = set()
    for info in pkgutil.walk_packages(optimlab.__path__, "optimlab."):
        if ".checks" in info.name or ".widgets" in info.name:
            continue
        try:
            mod = importlib.import_module(info.name)
        except Exception:  # noqa: BLE001 - an optional module that does not import here
            continue
        found = _library_function(getattr(mod, name, None)) if hasattr(mod, name) else None
        if found:
            out.add(found)
    return out


def _after_docstring(node) -> tuple[str, int]:
    """(indentation of the function's body, index of the source line where its code starts,
    after its docstring): where a stub or a guard goes."""
    body = node.body
    doc = (isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant)
           and isinstance(body[0].value.value, str))
    start = body[1].lineno - 1 if doc and len(body) > 1 else (body[0].end_lineno if doc else body[0].lineno - 1)
    return " " * body[0].col_offset, start


def _stub_source(text: str, names: set[str], qualified: str) -> str:
    """`text` with the body of each top-level function in `names` replaced by a raise."""
    tree = ast.parse(text)
    lines = text.splitlines(keepends=True)
    edits = []
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name in names:
            indent, start = _after_docstring(node)
            msg = MESSAGE.format(name=f"{qualified}.{node.name}")
            stub = f"{indent}raise RuntimeError({msg!r})\n"
            edits.append((start, max(start, node.end_lineno), stub))
    for start, end, stub in sorted(edits, reverse=True):
        lines[start:end] = [stub]
    return "".join(lines)


def _guard_source(text: str, guards: dict[str, list[tuple[str, str]]], qualified: str) -> str:
    """`text` with a first line in each top-level function of `guards` that raises when one
    of its conditions holds (the body is kept for every other call)."""
    tree = ast.parse(text)
    lines = text.splitlines(keepends=True)
    edits = []
    functions = [(node.name, node) for node in tree.body if hasattr(node, "name")]
    functions += [(f"{node.name}.{item.name}", item) for node in tree.body if isinstance(node, ast.ClassDef)
                  for item in node.body if hasattr(item, "name")]
    for name, node in functions:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and name in guards:
            indent, at = _after_docstring(node)
            code = ""
            for condition, exercise in guards[name]:
                msg = (WHOLE_MESSAGE if condition == "True" else GUARD_MESSAGE).format(
                    name=f"{qualified}.{name}", exercise=exercise)
                # A condition that cannot be evaluated (odd arguments) lets the call through:
                # the function's own checks then say what is wrong with them.
                code += (f"{indent}try:\n{indent}    _optimlab_graded = bool({condition})\n"
                         f"{indent}except Exception:\n{indent}    _optimlab_graded = False\n"
                         f"{indent}if _optimlab_graded:\n{indent}    raise RuntimeError({msg!r})\n")
            edits.append((at, code))
    for at, code in sorted(edits, reverse=True):
        lines[at:at] = [code]
    return "".join(lines)


def package_dir() -> Path:
    import optimlab
    return Path(optimlab.__file__).resolve().parent


def build_overlay(refs: set[tuple[str, str]], dest: Path,
                  guards: dict[tuple[str, str], list[tuple[str, str]]] | None = None) -> list[str]:
    """Copy optimlab to dest/optimlab with `refs` stubbed and `guards` (see `equivalents`)
    put in; return what was hidden.

    The copy is imported once in a fresh interpreter; if that fails (a module that calls a
    hidden function while it is imported), nothing is hidden and the reason is returned.
    """
    src = package_dir()
    target = dest / "optimlab"
    shutil.copytree(src, target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    by_file: dict[Path, set[str]] = {}
    hidden = []
    for module, name in sorted(refs):
        rel = module.split(".")[1:]
        path = target.joinpath(*rel).with_suffix(".py")
        if not path.exists():
            path = target.joinpath(*rel, "__init__.py")
        if path.exists():
            by_file.setdefault(path, set()).add(name)
            hidden.append(f"{module}.{name}")
    guarded: dict[Path, dict[str, list[tuple[str, str]]]] = {}
    for (module, name), conditions in sorted((guards or {}).items()):
        if (module, name) in refs:  # hidden whole already
            continue
        path = target.joinpath(*module.split(".")[1:]).with_suffix(".py")
        if path.exists():
            guarded.setdefault(path, {})[name] = conditions
            what = ", ".join(e for _, e in conditions)
            whole = all(c == "True" for c, _ in conditions)
            hidden.append(f"{module}.{name} " + (f"(computes {what})" if whole else f"when it computes {what}"))
    for path in sorted(set(by_file) | set(guarded)):
        module = "optimlab." + ".".join(path.relative_to(target).with_suffix("").parts)
        module = module.removesuffix(".__init__")
        text = path.read_text()
        if path in guarded:
            text = _guard_source(text, guarded[path], module)
        if path in by_file:
            text = _stub_source(text, by_file[path], module)
        path.write_text(text)
    probe = ("import importlib, pkgutil, optimlab\n"
             "for m in pkgutil.walk_packages(optimlab.__path__, 'optimlab.'):\n"
             "    if '.widgets' not in m.name: importlib.import_module(m.name)\n")
    proc = subprocess.run([sys.executable, "-c", probe], cwd=str(dest), capture_output=True,
                          text=True, env={"PYTHONPATH": str(dest), "PATH": "/usr/bin:/bin",
                                          "PYTHONDONTWRITEBYTECODE": "1",
                                          "MPLBACKEND": "Agg"})
    if proc.returncode != 0:
        shutil.rmtree(target)
        shutil.copytree(src, target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        err = (proc.stderr.strip().splitlines() or ["?"])[-1]
        return [f"references not hidden: the stubbed library does not import ({err})"]
    return hidden
