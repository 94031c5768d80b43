"""The grade comes from the grader's process: the checks run here, the learner's code there.

A course test cell is a few lines such as::

    from optimlab.checks import momentum as checks
    checks.check_momentum_step(momentum_step)
    checks.check_momentum_step(momentum_step, hidden=True)

``parse_test_cell`` recognises exactly that form (imports from ``optimlab.checks`` and
calls ``check_<name>(<learner function>, <literal keywords>)``). Such a cell is not run in
the learner's kernel at all: ``run_trusted`` calls the same check functions *in the
grader's process*, with its own unpatched numpy, engine, reference implementations,
wrong variants and hidden cases, and passes them a ``KernelFunction`` in place of the
learner's function. Calling it sends the arguments, as plain data, into the sandboxed
kernel, calls the learner's function there and brings the result back as plain data:
float64 (or int64/bool) arrays rebuilt from bytes, Python numbers, tuples, lists, dicts,
strings; never an object. So patching numpy, the checks or IPython inside the kernel, a
lying ``__array__``, or inspecting the call stack (there is no checker on it) changes
nothing: at worst the learner's own function returns wrong numbers. The arguments come back
too, as the function left them, and ``carry_back`` writes its in-place changes into the
grader's own objects (arrays, also inside lists, tuples and dicts), so the checks see an
in-place ``g *= s`` as they do in-process.

Callables passed as inputs (a ``grad_fn``) and the reference helpers that composite
checks put in the learner's namespace stay in the grader: the kernel gets a stub that
asks the grader (over Jupyter's stdin channel) to compute the value for those arguments,
valid only during the call it was made for.

What the kernel may not marshal (an object the protocol does not know) makes that cell
fall back to running in the kernel as before (``Fallback``); the reason is recorded.
"""
from __future__ import annotations

import ast
import base64
import builtins
import importlib
import io
import json
import os
import re
import secrets
import time
from contextlib import redirect_stdout
from dataclasses import dataclass

import numpy as np

MAX_PAYLOAD = 64_000_000      # bytes of JSON accepted from the kernel per message
MAX_ELEMENTS = 8_000_000      # entries of one array
MAX_DEPTH = 8
PREFIX_RESULT = "\x00optimlab-result "
PREFIX_CALLBACK = "\x00optimlab-callback "


class Fallback(BaseException):
    """The cell cannot be graded from outside the kernel; run it in the kernel."""


class KernelGone(BaseException):
    """The kernel died during a call."""


class CallTimeout(BaseException):
    """A call ran past the cell's time limit. ``stopped``: the interrupt was answered."""

    def __init__(self, msg, stopped):
        super().__init__(msg)
        self.stopped = stopped


# --- which cells ----------------------------------------------------------------------

@dataclass
class CheckCall:
    module: str
    function: str
    learner: str
    kwargs: dict


def parse_test_cell(source: str) -> list[CheckCall] | None:
    """The check calls of a test cell in the course's form, else None."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None
    modules, functions, calls = {}, {}, []
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            for alias in node.names:
                if node.module == "optimlab.checks":
                    modules[alias.asname or alias.name] = f"optimlab.checks.{alias.name}"
                elif node.module.startswith("optimlab.checks.") and alias.name.startswith("check_"):
                    functions[alias.asname or alias.name] = (node.module, alias.name)
                else:
                    return None
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if not (alias.name.startswith("optimlab.checks.") and alias.asname):
                    return None
                modules[alias.asname] = alias.name
        elif isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
            call = node.value
            if isinstance(call.func, ast.Attribute) and isinstance(call.func.value, ast.Name) \
                    and call.func.value.id in modules and call.func.attr.startswith("check_"):
                target = (modules[call.func.value.id], call.func.attr)
            elif isinstance(call.func, ast.Name) and call.func.id in functions:
                target = functions[call.func.id]
            else:
                return None
            if len(call.args) != 1 or not isinstance(call.args[0], ast.Name):
                return None
            try:
                kwargs = {k.arg: ast.literal_eval(k.value) for k in call.keywords if k.arg}
            except ValueError:
                return None
            if len(kwargs) != len(call.keywords):
                return None
            calls.append(CheckCall(target[0], target[1], call.args[0].id, kwargs))
        else:
            return None
    return calls or None


# --- plain data both ways ----------------------------------------------------------------

def _b64(a: np.ndarray) -> str:
    return base64.b64encode(a.tobytes()).decode()


def encode(x, callbacks: dict | None = None, depth: int = 0):
    """Grader -> kernel: the case's inputs (numbers, arrays, containers, rng, callables)."""
    if depth > MAX_DEPTH:
        raise Fallback("inputs nested too deeply")
    if x is None or isinstance(x, (bool, str)):
        return {"t": "v", "v": x}
    if isinstance(x, int):
        return {"t": "i", "v": str(x)}
    if isinstance(x, float):
        return {"t": "f", "v": x.hex()}
    if isinstance(x, np.generic):
        return {"t": "ns", "a": encode(np.asarray(x), callbacks, depth)}
    if isinstance(x, np.ndarray):
        if x.dtype.kind == "f":
            return {"t": "a", "k": "f", "s": list(x.shape), "d": _b64(x.astype("<f8"))}
        if x.dtype.kind in "iu":
            return {"t": "a", "k": "i", "s": list(x.shape), "d": _b64(x.astype("<i8"))}
        if x.dtype.kind == "b":
            return {"t": "a", "k": "b", "s": list(x.shape), "d": _b64(x.astype("u1"))}
        raise Fallback(f"an input array of dtype {x.dtype}")
    if isinstance(x, (tuple, list)):
        return {"t": type(x).__name__, "v": [encode(v, callbacks, depth + 1) for v in x]}
    if isinstance(x, dict) and all(isinstance(k, str) for k in x):
        return {"t": "dict", "v": {k: encode(v, callbacks, depth + 1) for k, v in x.items()}}
    if isinstance(x, np.random.Generator) and type(x.bit_generator).__name__ == "PCG64":
        return {"t": "rng", "v": json.dumps(x.bit_generator.state)}
    if hasattr(x, "__next__") and hasattr(x, "__iter__"):  # a generator (a reference's batches)
        items, err = [], None
        try:
            for item in x:
                items.append(encode(item, callbacks, depth + 1))
        except Exception as exc:  # noqa: BLE001 - raised again in the kernel, after the items
            err = [type(exc).__name__, str(exc)[:2000]]
        return {"t": "iter", "v": items, "err": err}
    if callable(x) and callbacks is not None:
        token = secrets.token_hex(12)
        callbacks[token] = x
        return {"t": "cb", "v": token}
    raise Fallback(f"an input of type {type(x).__name__}")


def _array(d: dict) -> np.ndarray:
    shape = d.get("s")
    if not isinstance(shape, list) or len(shape) > 32 or not all(
            isinstance(n, int) and 0 <= n <= MAX_ELEMENTS for n in shape):
        raise ValueError("bad shape")
    count = int(np.prod(shape)) if shape else 1
    if count > MAX_ELEMENTS:
        raise ValueError("array too large")
    dtype = {"f": "<f8", "i": "<i8", "b": "u1"}.get(d.get("k"))
    if dtype is None or not isinstance(d.get("d"), str):
        raise ValueError("bad array")
    raw = base64.b64decode(d["d"], validate=True)
    if len(raw) != count * np.dtype(dtype).itemsize:
        raise ValueError("array bytes do not match its shape")
    a = np.frombuffer(raw, dtype=dtype).reshape(shape).copy()
    return a.astype(bool) if d["k"] == "b" else a.astype(np.float64 if d["k"] == "f" else np.int64)


class Opaque:
    """What the learner's function returned that is not plain data (shown by its type)."""

    def __init__(self, type_name: str):
        self.type_name = type_name[:80]

    def __repr__(self):
        return f"<{self.type_name} object>"


def decode(d, callbacks: dict | None = None, depth: int = 0):
    """Kernel -> grader: plain data only; anything malformed raises ValueError."""
    if depth > MAX_DEPTH + 4:
        raise ValueError("nested too deeply")
    if not isinstance(d, dict):
        raise ValueError("not an encoded value")
    t = d.get("t")
    if t == "v" and (d.get("v") is None or isinstance(d.get("v"), (bool, str))):
        return d["v"]
    if t == "i" and isinstance(d.get("v"), str) and len(d["v"]) < 400:
        return int(d["v"])
    if t == "f" and isinstance(d.get("v"), str) and len(d["v"]) < 40:
        return float.fromhex(d["v"])
    if t == "ns":
        a = decode(d.get("a"), callbacks, depth + 1)
        if not isinstance(a, np.ndarray) or a.shape != ():
            raise ValueError("bad scalar")
        return a[()]
    if t == "a":
        return _array(d)
    if t in ("tuple", "list", "iter") and isinstance(d.get("v"), list):
        items = [decode(v, callbacks, depth + 1) for v in d["v"]]
        if t == "tuple":
            return tuple(items)
        if t == "list":
            return items
        return _replay(items, d.get("err"))
    if t == "dict" and isinstance(d.get("v"), dict):
        return {str(k): decode(v, callbacks, depth + 1) for k, v in d["v"].items()}
    if t == "obj" and isinstance(d.get("v"), str):
        return Opaque(d["v"])
    if t == "rng" and isinstance(d.get("v"), str) and len(d["v"]) < 2000:
        g = np.random.Generator(np.random.PCG64())
        g.bit_generator.state = json.loads(d["v"])
        return g
    raise ValueError(f"unknown encoded value {str(t)[:20]!r}")


def _replay(items, err):
    """A generator that yields what the learner's generator yielded, then raises as it did."""
    def gen():
        yield from items
        if err:
            raise make_exception(err)
    return gen()


_EXC_TYPES: dict[str, type] = {}


def raise_from_learner(exc: BaseException, where) -> None:
    """Raise `exc` from a frame that looks like the learner's innermost line, so that the
    checks' messages point at the learner's code (in <name>, line n: <code>), never at the
    grader's; the innermost function's name is kept for "not implemented" messages."""
    import linecache

    if not (isinstance(where, list) and len(where) == 4):
        raise exc
    name, lineno, line, innermost = where
    name = name if isinstance(name, str) and name.isidentifier() else "your_function"
    innermost = innermost if isinstance(innermost, str) and innermost.isidentifier() else name
    lineno = lineno if isinstance(lineno, int) and 0 < lineno < 100_000 else 1
    filename = f"<your code: {name}>"
    lines = ["\n"] * (lineno - 1) + [str(line)[:300] + "\n"]
    linecache.cache[filename] = (len("".join(lines)), None, lines, filename)
    if innermost == name:
        code = compile("\n" * (lineno - 1) + "raise __exc__", filename, "exec")
        exec(code.replace(co_name=name), {"__exc__": exc})
    # the error came from deeper (a library function it called, a helper): the checks look
    # at the innermost frame's name, and skip frames inside the optimlab package
    import types

    import optimlab
    inner_file = os.path.join(os.path.dirname(os.path.abspath(optimlab.__file__)), "<library>")
    inner = types.FunctionType(compile("raise __exc__", inner_file, "exec").replace(
        co_name=innermost), {"__exc__": exc})
    code = compile("\n" * (lineno - 1) + "__inner__()", filename, "exec")
    exec(code.replace(co_name=name), {"__inner__": inner})


def make_exception(err) -> BaseException:
    """The learner's exception, rebuilt from its type name and message (no object crosses)."""
    name, message = (str(err[0]), str(err[1])) if isinstance(err, list) and len(err) >= 2 else \
        ("Exception", str(err))
    name = name if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]{0,60}", name) else "Exception"
    if name == "NotImplementedError":
        return NotImplementedError(message[:4000])
    builtin = getattr(builtins, name, None)
    if isinstance(builtin, type) and issubclass(builtin, Exception) and \
            not issubclass(builtin, AssertionError):
        return builtin(message[:4000])
    cls = _EXC_TYPES.setdefault(name, type(name, (Exception,), {}))
    return cls(message[:4000])


# --- the kernel side (plain source, run once in the learner's kernel) ------------------

KERNEL_CODE = r'''
def __optimlab_setup__():
    import base64, json
    import numpy as np
    ip = get_ipython()
    ns = ip.user_ns
    saved = {}

    def b64(a):
        return base64.b64encode(a.tobytes()).decode()

    def enc(x, depth=0):
        if depth > 8:
            return {"t": "obj", "v": "nested too deeply"}
        if x is None or isinstance(x, (bool, str)):
            return {"t": "v", "v": x if not isinstance(x, str) else x[:10000]}
        if isinstance(x, int) and not isinstance(x, bool):
            s = str(x)
            return {"t": "i", "v": s} if len(s) < 300 else {"t": "f", "v": float(x).hex()}
        if isinstance(x, float):
            return {"t": "f", "v": float(x).hex()}
        if isinstance(x, (np.generic, np.ndarray)):
            a = np.asarray(x)
            if a.dtype.kind == "b":
                out = {"t": "a", "k": "b", "s": list(a.shape), "d": b64(a.astype("u1"))}
            elif a.dtype.kind in "iu":
                out = {"t": "a", "k": "i", "s": list(a.shape), "d": b64(a.astype("<i8"))}
            elif a.dtype.kind in "fc" or a.dtype.kind == "O":
                try:
                    a = np.asarray(a, dtype=np.float64)
                except (TypeError, ValueError):
                    return {"t": "obj", "v": "ndarray of " + str(a.dtype)}
                out = {"t": "a", "k": "f", "s": list(a.shape), "d": b64(a.astype("<f8"))}
            else:
                return {"t": "obj", "v": "ndarray of " + str(a.dtype)}
            return {"t": "ns", "a": out} if isinstance(x, np.generic) else out
        if isinstance(x, tuple):
            return {"t": "tuple", "v": [enc(v, depth + 1) for v in x]}
        if isinstance(x, list):
            return {"t": "list", "v": [enc(v, depth + 1) for v in x]}
        if isinstance(x, dict):
            return {"t": "dict", "v": {str(k): enc(v, depth + 1) for k, v in x.items()}}
        if isinstance(x, np.random.Generator):
            try:
                return {"t": "rng", "v": json.dumps(x.bit_generator.state)}
            except Exception:
                return {"t": "obj", "v": "Generator"}
        if hasattr(x, "__next__") and hasattr(x, "__iter__"):
            items = []
            try:
                for item in x:
                    items.append(enc(item, depth + 1))
                    if len(items) > 100000:
                        break
            except Exception as e:
                return {"t": "iter", "v": items, "err": [type(e).__name__, str(e)[:2000]]}
            return {"t": "iter", "v": items}
        return {"t": "obj", "v": type(x).__name__}

    def arr(d):
        dtype = {"f": "<f8", "i": "<i8", "b": "u1"}[d["k"]]
        a = np.frombuffer(base64.b64decode(d["d"]), dtype=dtype).reshape(d["s"]).copy()
        return a.astype(bool) if d["k"] == "b" else a.astype(np.float64 if d["k"] == "f" else np.int64)

    def stub(token):
        def from_the_grader(*args, **kwargs):
            request = json.dumps({"id": token, "args": [enc(a) for a in args],
                                  "kwargs": {k: enc(v) for k, v in kwargs.items()}})
            reply = json.loads(ip.kernel.raw_input("\x00optimlab-callback " + request))
            if "err" in reply:
                raise RuntimeError(reply["err"])
            # A random generator passed to the grader's helper was used there: carry its new state
            # back, so that the learner's generator advances as if the helper had run here.
            for i, state in reply.get("rng", {}).items():
                if isinstance(args[int(i)], np.random.Generator):
                    args[int(i)].bit_generator.state = json.loads(state)
            return dec(reply["ok"])
        return from_the_grader

    def dec(d):
        t = d["t"]
        if t == "v":
            return d["v"]
        if t == "i":
            return int(d["v"])
        if t == "f":
            return float.fromhex(d["v"])
        if t == "ns":
            return arr(d["a"])[()]
        if t == "a":
            return arr(d)
        if t == "tuple":
            return tuple(dec(v) for v in d["v"])
        if t == "list":
            return [dec(v) for v in d["v"]]
        if t == "dict":
            return {k: dec(v) for k, v in d["v"].items()}
        if t == "rng":
            g = np.random.Generator(np.random.PCG64())
            g.bit_generator.state = json.loads(d["v"])
            return g
        if t == "cb":
            return stub(d["v"])
        if t == "iter":
            items, err = [dec(v) for v in d["v"]], d.get("err")
            def replay():
                yield from items
                if err:
                    raise RuntimeError(f"{err[0]}: {err[1]}")
            return replay()
        raise ValueError(t)

    def where(e):
        # the innermost line of the learner's own code (not the library's, not this helper's)
        import os, sys, traceback
        skip = tuple(os.path.realpath(p) for p in (sys.prefix, sys.base_prefix))
        lib = sys.modules.get("optimlab")
        if lib is not None and getattr(lib, "__file__", None):
            skip += (os.path.dirname(os.path.realpath(lib.__file__)),)
        frames = traceback.extract_tb(e.__traceback__)[1:]
        own = [f for f in frames if not os.path.realpath(f.filename).startswith(skip)]
        names = [f.name for f in frames]
        f = (own or frames or [None])[-1]
        if f is None:
            return None
        return [f.name, f.lineno or 1, (f.line or "")[:300], names[-1] if names else f.name]

    def answer(obj):
        # the grader's reply is its next request when the serve loop runs (else "")
        return ip.kernel.raw_input("\x00optimlab-result " + json.dumps(obj))

    def call(name, payload):
        request = json.loads(payload)
        fn = ns.get(name)
        if not callable(fn):
            return answer({"missing": name in ns, "type": type(fn).__name__})
        args = [dec(a) for a in request["args"]]
        kwargs = {k: dec(v) for k, v in request["kwargs"].items()}
        try:
            out = fn(*args, **kwargs)
            result = {"ok": enc(out)}
        except Exception as e:
            result = {"err": [type(e).__name__, str(e)[:4000], where(e)]}
        result["after"] = [enc(a) for a in args]
        result["after_kw"] = {k: enc(v) for k, v in kwargs.items()}
        return answer(result)

    def has(name):
        return answer({"ok": callable(ns.get(name))})

    def swap(name, token):
        if name not in saved:
            saved[name] = ns.get(name)
        ns[name] = stub(token)
        return answer({"ok": True})

    def restore(name):
        if name in saved:
            ns[name] = saved.pop(name)
        return answer({"ok": True})

    ops = {"call": call, "has": has, "swap": swap, "restore": restore}

    def serve():
        # one execute for all the calls of a test cell: each answer's reply is the next
        # request, {"op": ..., "args": [...]}; an empty reply ends the loop
        reply = answer({"ok": True})
        while reply:
            request = json.loads(reply)
            reply = ops[request["op"]](*request["args"])

    ns["__optimlab_rpc__"] = dict(ops, serve=serve)

__optimlab_setup__()
del __optimlab_setup__
'''


# --- the grader side ---------------------------------------------------------------------

class KernelLink:
    """A second, blocking client of the learner's kernel (shell + stdin channels only)."""

    def __init__(self, km, deadline: float):
        self.km = km
        self.deadline = deadline
        self.callbacks: dict = {}
        self._serving = None  # msg_id of the kernel's serve loop while it waits for a request
        self.client = km.blocking_client()
        self.client.start_channels(shell=True, iopub=False, stdin=True, hb=False, control=False)
        self._request("", KERNEL_CODE, expect_result=False)

    def close(self):
        if self._serving is not None:  # end the serve loop: the next cell runs as usual
            msg_id, self._serving = self._serving, None
            try:
                self.client.input("")
                self._wait(msg_id, "the end of the checks", expect_result=False,
                           interrupt=False, give_up=time.monotonic() + 10)
            except (Exception, KernelGone, CallTimeout):  # noqa: BLE001 - the kernel may be gone
                pass
        try:
            self.client.stop_channels()
        except Exception:  # noqa: BLE001 - the kernel may be gone already
            pass

    def _alive(self) -> bool:
        from jupyter_core.utils import run_sync
        try:
            return bool(run_sync(self.km.is_alive)())
        except Exception:  # noqa: BLE001
            return False

    def _interrupt(self) -> None:
        from jupyter_core.utils import run_sync
        try:
            run_sync(self.km.interrupt_kernel)()
        except Exception:  # noqa: BLE001
            pass

    def _request(self, what: str, code: str, expect_result: bool = True, serve: bool = False):
        """Execute `code` silently; answer callbacks; return the decoded result object."""
        msg_id = self.client.execute(code, silent=True, store_history=False, allow_stdin=True)
        return self._wait(msg_id, what, expect_result, serve=serve)

    def _wait(self, msg_id: str, what: str, expect_result: bool = True, serve: bool = False,
              interrupt: bool = True, give_up: float | None = None):
        """Wait for the result of the execute `msg_id`, answering callbacks meanwhile.

        With `serve` (the kernel's serve loop), the result prompt is left unanswered and the
        result returned at once: the kernel waits on that prompt for the next request
        (``rpc``). Past the deadline the kernel is interrupted (not when `interrupt` is
        False: then the wait ends quietly at `give_up`).
        """
        import zmq

        result, reply, last_alive, interrupted = None, None, time.monotonic(), None
        too_big = False
        poller = zmq.Poller()
        stdin_socket = self.client.stdin_channel.socket
        shell_socket = self.client.shell_channel.socket
        poller.register(stdin_socket, zmq.POLLIN)
        poller.register(shell_socket, zmq.POLLIN)
        while reply is None:
            ready = dict(poller.poll(200))  # wake up as soon as the kernel answers
            now = time.monotonic()
            if give_up is not None and now > give_up:
                return None
            if interrupt and interrupted is None and now > self.deadline:
                self._interrupt()
                interrupted = now
            if interrupted is not None and now > interrupted + 5:
                raise CallTimeout(what, stopped=False)
            msg = None
            if stdin_socket in ready:
                try:
                    msg = self.client.get_stdin_msg(timeout=0)
                except Exception:  # noqa: BLE001 - queue.Empty
                    msg = None
            if msg is not None and msg["parent_header"].get("msg_id") == msg_id \
                    and msg["msg_type"] == "input_request":
                prompt = str(msg["content"].get("prompt", ""))
                if len(prompt) > MAX_PAYLOAD:
                    too_big = True
                    # unblock the kernel (an empty reply ends a serve loop), then fail this call
                    self.client.input("" if serve else "{}")
                elif prompt.startswith(PREFIX_RESULT):
                    result = json.loads(prompt[len(PREFIX_RESULT):])
                    if serve and interrupted is None:
                        self._serving = msg_id  # the kernel now waits for the next request
                        if not isinstance(result, dict):
                            raise ValueError("the kernel did not answer")
                        return result
                    self.client.input("")
                elif prompt.startswith(PREFIX_CALLBACK):
                    self.client.input(self._callback(prompt[len(PREFIX_CALLBACK):]))
                else:  # the learner's own input(): no one types here
                    self.client.input("")
                continue
            shell = None
            if shell_socket in ready:
                try:
                    shell = self.client.get_shell_msg(timeout=0)
                except Exception:  # noqa: BLE001 - queue.Empty
                    shell = None
            if shell is not None and shell["parent_header"].get("msg_id") == msg_id:
                reply = shell
            if time.monotonic() - last_alive > 0.5:
                last_alive = time.monotonic()
                if not self._alive():
                    raise KernelGone(what)
        if interrupted is not None:
            raise CallTimeout(what, stopped=True)
        if too_big:
            raise ValueError(f"the result was larger than the grader accepts ({MAX_PAYLOAD} bytes)")
        content = reply["content"]
        if content.get("status") != "ok" and expect_result and result is None:
            raise make_exception([content.get("ename", "Exception"), content.get("evalue", "")])
        if expect_result and not isinstance(result, dict):
            raise ValueError("the kernel did not answer")
        return result

    def _callback(self, text: str) -> str:
        try:
            req = json.loads(text)
            fn = self.callbacks.get(req.get("id"))
            if fn is None:
                return json.dumps({"err": "this function is only available during the call it was given to"})
            args = [decode(a) for a in req.get("args", [])]
            kwargs = {str(k): decode(v) for k, v in req.get("kwargs", {}).items()}
            out = fn(*args, **kwargs)
            encoded = encode(out)  # a generator is run here (its items replayed in the kernel as a generator)
            states = {str(i): json.dumps(a.bit_generator.state) for i, a in enumerate(args)
                      if isinstance(a, np.random.Generator)}
            return json.dumps({"ok": encoded, "rng": states})
        except Fallback as exc:
            return json.dumps({"err": f"cannot send {exc} to your code"})
        except Exception as exc:  # noqa: BLE001 - reported to the learner's code
            return json.dumps({"err": f"{type(exc).__name__}: {exc}"[:2000]})

    def rpc(self, op: str, *args: str, what: str = ""):
        """One request to the kernel's serve loop (started by the first): a call of the
        learner's function is one stdin round trip, not an execute of its own."""
        if self._serving is None:
            self._request(what or op, "__optimlab_rpc__['serve']()", serve=True)
            if self._serving is None:
                raise ValueError("the kernel did not answer")
        msg_id, self._serving = self._serving, None
        self.client.input(json.dumps({"op": op, "args": [str(a) for a in args]}))
        return self._wait(msg_id, what or op, serve=True)


class KernelNamespace(dict):
    """``fn.__globals__`` of a KernelFunction: the learner's namespace, as far as the
    composite checks use it (`name in ns`, `ns[name]`, `ns[name] = reference`)."""

    def __init__(self, link: KernelLink):
        super().__init__()
        self.link = link
        self.tokens: dict[str, str] = {}

    def __contains__(self, name):
        return bool(self.link.rpc("has", str(name)).get("ok"))

    def __getitem__(self, name):
        if name not in self:
            raise KeyError(name)
        return KernelFunction(self.link, str(name))

    def get(self, name, default=None):
        return self[name] if name in self else default

    def __setitem__(self, name, value):
        if isinstance(value, KernelFunction) and value.name == name:
            token = self.tokens.pop(name, None)
            self.link.callbacks.pop(token, None)
            self.link.rpc("restore", name)
        elif callable(value):
            token = secrets.token_hex(12)
            self.link.callbacks[token] = value
            self.tokens[name] = token
            self.link.rpc("swap", name, token)
        else:
            raise Fallback(f"cannot put a {type(value).__name__} into the learner's namespace")


class KernelFunction:
    """Stands for the learner's function `name`; calls it in the kernel, on plain data."""

    def __init__(self, link: KernelLink, name: str, namespace: KernelNamespace | None = None):
        self.link, self.name, self.__name__ = link, name, name
        self.__qualname__ = name
        self.__globals__ = namespace if namespace is not None else KernelNamespace(link)

    def __repr__(self):
        return f"<function {self.name}>"

    def __call__(self, *args, **kwargs):
        callbacks = self.link.callbacks
        tokens = set()
        before = set(callbacks)
        payload = json.dumps({"args": [encode(a, callbacks) for a in args],
                              "kwargs": {k: encode(v, callbacks) for k, v in kwargs.items()}})
        tokens = set(callbacks) - before
        try:
            out = self.link.rpc("call", self.name, payload, what=f"{self.name}(...)")
        finally:
            for t in tokens:
                callbacks.pop(t, None)
        if "missing" in out:
            raise NameError(f"name '{self.name}' is not defined" if not out["missing"] else
                            f"'{self.name}' is a {str(out.get('type'))[:40]}, not a function")
        # in-place changes show as they would: the arguments as the learner's code left them
        after, after_kw = out.get("after", []), out.get("after_kw", {})
        pairs = list(zip(args, after if isinstance(after, list) else []))
        if isinstance(after_kw, dict):
            pairs += [(kwargs[k], v) for k, v in after_kw.items() if k in kwargs]
        for original, new in pairs:
            try:
                value = decode(new)
            except ValueError:
                continue
            carry_back(original, value)
        if "err" in out:
            err = out["err"]
            raise_from_learner(make_exception(err), err[2] if isinstance(err, list) and len(err) > 2 else None)
        return decode(out.get("ok"))


def carry_back(original, value) -> bool:
    """Make the grader's argument `original` what the learner's code left of its copy
    (`value`, decoded): arrays are overwritten in place, also inside lists, tuples and
    dicts (a ``for g in grads: g *= s`` reaches the checker's arrays), lists and dicts get
    their new items, a random generator its new state. Returns False when `original`
    cannot take `value` in place (a number, a changed shape): the caller replaces it."""
    if isinstance(value, Opaque) or callable(original) or hasattr(original, "__next__"):
        return True  # a callable or generator went as a stub or its items: nothing comes back
    if isinstance(original, np.ndarray):
        if not (isinstance(value, np.ndarray) and value.shape == original.shape):
            return False
        if original.flags.writeable:
            np.copyto(original, value, casting="unsafe")
        return True
    if isinstance(original, (list, tuple)):
        resized = not isinstance(value, (list, tuple)) or len(value) != len(original)
        if resized and not (isinstance(original, list) and isinstance(value, list)):
            return False
        for i, (o, v) in enumerate(zip(original, value)):
            if not carry_back(o, v) and isinstance(original, list):
                original[i] = v
        if resized:  # items appended or removed
            original[len(value):] = value[len(original):]
        return True
    if isinstance(original, dict):
        if not isinstance(value, dict) or not all(isinstance(k, str) for k in original):
            return False
        for k in [k for k in original if k not in value]:
            del original[k]
        for k, v in value.items():
            if k not in original or not carry_back(original[k], v):
                original[k] = v
        return True
    if isinstance(original, np.random.Generator):
        if isinstance(value, np.random.Generator):
            original.bit_generator.state = value.bit_generator.state
        return True
    return original is value or _same(original, value)


def _same(a, b) -> bool:
    try:
        return bool(a == b)
    except Exception:  # noqa: BLE001 - incomparable: let the caller replace it
        return False


def run_trusted(km, calls: list[CheckCall], timeout: float):
    """Run a test cell's checks here against the learner's kernel.

    Returns (stdout text, error or None) where error = (ename, evalue). Raises Fallback,
    KernelGone or CallTimeout.
    """
    link = KernelLink(km, time.monotonic() + timeout)
    buf = io.StringIO()
    try:
        for call in calls:
            check = getattr(importlib.import_module(call.module), call.function, None)
            if not callable(check):
                raise Fallback(f"{call.module}.{call.function} does not exist")
            fn = KernelFunction(link, call.learner)
            try:
                with redirect_stdout(buf):
                    check(fn, **call.kwargs)
            except (Fallback, KernelGone, CallTimeout):
                raise
            except AssertionError as exc:
                return buf.getvalue(), (type(exc).__name__, str(exc))
            except NameError as exc:
                return buf.getvalue(), ("NameError", f"{exc} (run the answer cell that defines it)")
            except ValueError as exc:
                if "kernel" in str(exc):
                    return buf.getvalue(), ("GraderError", str(exc))
                raise
        return buf.getvalue(), None
    finally:
        link.close()
