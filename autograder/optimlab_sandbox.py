"""A sandbox per submission: the learner's kernel runs inside bubblewrap.

``SandboxKernelManager`` is a jupyter_client kernel manager (nbclient, hence nbgrader's
Execute preprocessor, starts kernels through it) that launches the ipykernel process as

    bwrap <namespaces and mounts> prlimit <limits> setpriv <own uid> env -i <env> python -m ipykernel_launcher -f <conn>

so that the learner's code, and everything it starts, has

* no network: a network namespace of its own (only loopback, down); the kernel talks to
  the grader over Unix sockets (ZeroMQ ``ipc`` transport) in a folder of its own;
* its own PID namespace: it sees no other process, cannot signal the grader or another
  submission, and every process it started dies with it (the namespace's init is killed
  when the kernel ends, and bwrap ``--die-with-parent`` kills it if the grader dies);
* a file system holding only what the notebook needs, read-only: /usr, the Python
  installation, the virtual environment and the ``optimlab`` package, and the assignment's
  data files; the only writable places are a size-capped scratch folder (its working
  directory, a tmpfs) and a size-capped /tmp. The checkout, solutions/, the gradebook and
  other submissions are not in its view at all;
* limits (setrlimit): address space (memory), CPU seconds, processes/threads, file size,
  no core dumps; and a uid of its own (when the grader runs as root), so the process
  limit is per sandbox;
* a clean environment (``env -i``): no variable of the grader's environment leaks in.

The per-cell and per-notebook wall-clock limits and the output cap are enforced by
``RobustExecute`` (optimlab_preprocessors.py), outside the sandbox.

``sandbox_problem()`` says why a sandbox cannot be had here (None when it can);
optimlab_grader.py refuses to grade without one unless given ``--no-sandbox``.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from functools import lru_cache
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager
from traitlets import Integer, Unicode

SCRATCH = "/scratch"  # the kernel's working directory inside the sandbox
MPLCONFIGDIR = f"{SCRATCH}/.config/matplotlib"
# Names the kernel's working directory holds that are not the notebook's data files.
NOT_DATA = {"timestamp.txt", ".ipynb_checkpoints", "__pycache__"}
FIRST_UID = 60000


def bwrap_path() -> str | None:
    return shutil.which("bwrap") or (("/usr/bin/bwrap") if os.path.exists("/usr/bin/bwrap") else None)


def readonly_roots() -> list[str]:
    """What the kernel must read: the system, Python, the venv, the optimlab package."""
    import importlib.util

    roots = ["/usr"]
    for p in (sys.base_prefix, sys.prefix, os.path.dirname(os.path.realpath(sys.executable))):
        roots.append(os.path.realpath(p))
    spec = importlib.util.find_spec("optimlab")
    if spec is not None and spec.submodule_search_locations:
        roots.append(os.path.dirname(os.path.realpath(list(spec.submodule_search_locations)[0])))
    # /usr holds the others on a Debian system python; keep only the outermost paths
    roots = sorted(set(roots), key=len)
    kept: list[str] = []
    for r in roots:
        if not any(r == k or r.startswith(k.rstrip("/") + "/") for k in kept):
            kept.append(r)
    return kept


class _Parents:
    """bwrap arguments that create missing parent folders world-readable (bwrap's are 0700)."""

    def __init__(self):
        self.made = {"/", "/usr", "/tmp", SCRATCH}

    def of(self, path: str) -> list[str]:
        args, cur = [], ""
        for part in Path(path).parts[1:-1]:
            cur += "/" + part
            if cur not in self.made:
                self.made.add(cur)
                args += ["--perms", "0755", "--dir", cur]
        return args


def bwrap_args(*, ipc_dir: str, data_dir: str | None, uid: int | None,
               scratch_mb: int = 256, tmp_mb: int = 64, overlay: str = "",
               fonts: str = "") -> list[str]:
    """The bwrap command line up to (not including) the command."""
    args = [bwrap_path() or "bwrap",
            "--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts",
            "--unshare-cgroup-try", "--hostname", "sandbox",
            "--die-with-parent", "--new-session",
            "--proc", "/proc", "--dev", "/dev"]
    for link in ("bin", "lib", "lib64", "sbin"):
        target = os.path.join("/", link)
        if os.path.islink(target):
            args += ["--symlink", os.readlink(target), target]
    # The private /tmp and scratch folder first: a checkout or venv that lives under /tmp is then
    # bound on top of the empty /tmp instead of being hidden by it.
    args += ["--perms", "1777", "--size", str(tmp_mb << 20), "--tmpfs", "/tmp",
             "--perms", "1777", "--size", str(scratch_mb << 20), "--tmpfs", SCRATCH]
    parents = _Parents()
    for root in readonly_roots():
        args += parents.of(root) + ["--ro-bind", root, root]
        parents.made.add(root)
    if overlay:  # optimlab with the graded exercises' references stubbed (optimlab_hide.py)
        from optimlab_hide import package_dir
        args += ["--ro-bind", os.path.join(overlay, "optimlab"), str(package_dir())]
    # /etc/fonts: without it matplotlib's font search (fc-list) writes "Fontconfig error: Cannot
    # load default config file" to stderr, into the learner's feedback. /etc itself readable
    # (bwrap would make it 0700 and these files unreachable for the kernel's own uid).
    for etc in ("/etc/localtime", "/etc/ld.so.cache", "/etc/alternatives", "/etc/fonts"):
        if os.path.exists(etc):
            args += parents.of(etc) + ["--ro-bind", etc, etc]
    if fonts:  # matplotlib's font list, read-only, in its (writable) folder: see font_list()
        mpl = MPLCONFIGDIR
        args += ["--perms", "1777", "--dir", os.path.dirname(mpl), "--perms", "1777", "--dir", mpl,
                 "--ro-bind", fonts, f"{mpl}/{os.path.basename(fonts)}"]
    if data_dir:
        for entry in sorted(os.listdir(data_dir)):
            src = os.path.join(data_dir, entry)
            if entry in NOT_DATA or entry.endswith(".ipynb") or os.path.islink(src):
                continue
            args += ["--ro-bind", src, f"{SCRATCH}/{entry}"]
    args += parents.of(ipc_dir) + ["--bind", ipc_dir, ipc_dir, "--chdir", SCRATCH]
    if uid is not None:  # root: become a uid of our own (setpriv needs these two)
        args += ["--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
    return args


def limit_args(*, memory_mb: int, cpu_seconds: int, nproc: int, file_mb: int,
               uid: int | None) -> list[str]:
    cmd = ["/usr/bin/prlimit", f"--as={memory_mb << 20}", f"--cpu={cpu_seconds}",
           f"--fsize={file_mb << 20}", "--core=0", "--nofile=1024"]
    if uid is not None:  # RLIMIT_NPROC counts per uid and never binds root
        cmd.append(f"--nproc={nproc}")
    cmd.append("--")
    if uid is not None:
        cmd += ["/usr/bin/setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups",
                "--inh-caps=-all", "--bounding-set=-all", "--"]
    return cmd


def sandbox_env() -> dict[str, str]:
    env = {
        "PATH": f"{os.path.dirname(os.path.abspath(sys.executable))}:/usr/local/bin:/usr/bin:/bin",
        "HOME": SCRATCH, "TMPDIR": "/tmp", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8",
        "IPYTHONDIR": f"{SCRATCH}/.ipython", "MPLCONFIGDIR": MPLCONFIGDIR,
        "JUPYTER_RUNTIME_DIR": f"{SCRATCH}/.jupyter", "JUPYTER_CONFIG_DIR": f"{SCRATCH}/.jupyter",
        "PYTHONDONTWRITEBYTECODE": "1", "PYTHONNOUSERSITE": "1",
        # one thread per BLAS: the address-space cap stays meaningful and workers share cores fairly
        "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
    }
    for k, v in os.environ.items():  # what the course notebooks read (static widgets, ...)
        if k.startswith("OPTIMLAB_") or k in ("NBGRADER_EXECUTION",):
            env[k] = v
    return env


def sandbox_uid() -> int | None:
    """A uid per concurrent sandbox when running as root (None otherwise)."""
    if os.geteuid() != 0:
        return None
    return FIRST_UID + os.getpid() % 5000


def wrap(cmd: list[str], *, ipc_dir: str, data_dir: str | None, memory_mb: int = 2048,
         cpu_seconds: int = 900, nproc: int = 256, file_mb: int = 64,
         scratch_mb: int = 256, overlay: str = "", fonts: str = "") -> list[str]:
    uid = sandbox_uid()
    # `../.venv/bin/python` would not resolve inside: the sandbox has no autograder/ folder
    cmd = [os.path.abspath(cmd[0]), *cmd[1:]] if os.sep in cmd[0] else cmd
    env = ["/usr/bin/env", "-i", *(f"{k}={v}" for k, v in sandbox_env().items())]
    return (bwrap_args(ipc_dir=ipc_dir, data_dir=data_dir, uid=uid, scratch_mb=scratch_mb,
                       overlay=overlay, fonts=fonts)
            + limit_args(memory_mb=memory_mb, cpu_seconds=cpu_seconds, nproc=nproc,
                         file_mb=file_mb, uid=uid)
            + env + cmd)


def cache_root() -> Path:
    """Where the grader keeps what it builds once per machine (OPTIMLAB_GRADER_CACHE)."""
    return Path(os.environ.get("OPTIMLAB_GRADER_CACHE",
                               Path(tempfile.gettempdir()) / "optimlab-grader-cache"))


@lru_cache(maxsize=1)
def font_list() -> str:
    """matplotlib's font list as the sandbox sees the fonts: the path of its JSON file, or "".

    A kernel's matplotlib folder starts empty, so matplotlib would search the fonts
    (fontconfig, every font file) and write the list again in each kernel: 0.3 to 0.8 s of
    CPU per submission. It is built once per machine instead, by matplotlib itself in a
    sandbox (so it lists exactly the fonts a kernel can open), kept in the grader's cache
    under a key of matplotlib's version, the environment and the font folders' times, and
    mounted read-only into each kernel's matplotlib folder (``bwrap_args(fonts=...)``); a
    learner cannot change it for the next submission. "" when it cannot be built: then each
    kernel builds its own, as before.
    """
    import hashlib

    try:
        import matplotlib
    except ImportError:
        return ""
    key = [matplotlib.__version__, sys.prefix, os.path.realpath(sys.executable)]
    for d in ("/usr/share/fonts", "/usr/local/share/fonts", "/etc/fonts",
              os.path.join(os.path.dirname(matplotlib.__file__), "mpl-data", "fonts", "ttf")):
        try:
            key.append(f"{d}:{os.stat(d).st_mtime_ns}")
        except OSError:
            key.append(f"{d}:-")
    folder = cache_root() / f"mpl-fonts-{hashlib.sha256(repr(key).encode()).hexdigest()[:16]}"
    found = sorted(folder.glob("fontlist-v*.json"))
    if found:
        return str(found[0])
    try:
        with tempfile.TemporaryDirectory(prefix="optimlab-fonts-") as tmp:
            os.chmod(tmp, 0o777)
            code = f"import os; os.environ['MPLCONFIGDIR'] = {tmp!r}; import matplotlib.font_manager"
            proc = subprocess.run(wrap([sys.executable, "-c", code], ipc_dir=tmp, data_dir=None),
                                  capture_output=True, timeout=120)
            made = sorted(Path(tmp).glob("fontlist-v*.json"))
            if proc.returncode != 0 or not made:
                return ""
            folder.parent.mkdir(parents=True, exist_ok=True)
            build = Path(tempfile.mkdtemp(prefix="build-fonts-", dir=folder.parent))
            shutil.copyfile(made[0], build / made[0].name)
            os.chmod(build / made[0].name, 0o644)
            try:
                os.rename(build, folder)
            except OSError:  # another worker was quicker: use theirs
                shutil.rmtree(build, ignore_errors=True)
    except (OSError, subprocess.SubprocessError):
        return ""
    found = sorted(folder.glob("fontlist-v*.json"))
    return str(found[0]) if found else ""


@lru_cache(maxsize=1)
def sandbox_problem() -> str | None:
    """None if a sandboxed Python starts here; else why not (for the error message)."""
    if sys.platform != "linux":
        return f"bubblewrap needs Linux (this is {sys.platform})"
    if not bwrap_path():
        return ("bubblewrap is not installed (`apt-get install bubblewrap` on Debian/Ubuntu, "
                "`dnf install bubblewrap` on Fedora)")
    for tool in ("/usr/bin/prlimit", "/usr/bin/env") + (("/usr/bin/setpriv",) if os.geteuid() == 0 else ()):
        if not os.path.exists(tool):
            return f"{tool} is missing (util-linux / coreutils)"
    with tempfile.TemporaryDirectory(prefix="optimlab-sbcheck-") as tmp:
        os.chmod(tmp, 0o777)
        probe = ("import socket, numpy, optimlab\n"
                 "try:\n    socket.create_connection(('192.0.2.1', 9), timeout=1)\n"
                 "except OSError:\n    print('isolated')\n")
        cmd = wrap([sys.executable, "-c", probe], ipc_dir=tmp, data_dir=None)
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
        except (OSError, subprocess.TimeoutExpired) as exc:
            return f"bubblewrap could not start a sandbox: {exc}"
        if proc.returncode != 0 or "isolated" not in proc.stdout:
            err = (proc.stderr.strip().splitlines() or ["no output"])[-1]
            return (f"bubblewrap could not start a sandboxed Python ({err}); unprivileged "
                    "user namespaces may be disabled (sysctl kernel.unprivileged_userns_clone=1)")
    return None


class SandboxKernelManager(AsyncKernelManager):
    """Start the kernel inside the bubblewrap sandbox (see the module docstring)."""

    memory_mb = Integer(2048, help="address-space limit of the kernel, MiB").tag(config=True)
    cpu_seconds = Integer(900, help="CPU seconds for the kernel's whole life").tag(config=True)
    nproc = Integer(256, help="processes and threads of the sandbox's uid").tag(config=True)
    file_mb = Integer(64, help="largest file the kernel may write, MiB").tag(config=True)
    scratch_mb = Integer(256, help="size of the writable scratch folder, MiB").tag(config=True)
    library_overlay = Unicode(
        "", help="a folder holding a copy of optimlab/ to mount over the package "
                 "(references hidden, optimlab_hide.py)").tag(config=True)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._ipc_dir = tempfile.mkdtemp(prefix="optimlab-ipc-")
        uid = sandbox_uid()
        if uid is not None:
            os.chown(self._ipc_dir, uid, uid)
        os.chmod(self._ipc_dir, 0o700)
        self.transport = "ipc"
        self.ip = os.path.join(self._ipc_dir, "kernel")
        self.connection_file = os.path.join(self._ipc_dir, "connection.json")

    @property
    def kernel_spec(self):
        spec = super().kernel_spec
        if spec is not None:
            # SIGINT would reach bwrap, not the kernel: interrupt over the control channel
            spec.interrupt_mode = "message"
        return spec

    async def _async_launch_kernel(self, kernel_cmd, **kw):
        os.chmod(self.connection_file, 0o644)  # the sandbox's uid reads it
        cwd = kw.get("cwd")
        cmd = wrap(list(kernel_cmd), ipc_dir=self._ipc_dir, data_dir=cwd,
                   memory_mb=self.memory_mb, cpu_seconds=self.cpu_seconds, nproc=self.nproc,
                   file_mb=self.file_mb, scratch_mb=self.scratch_mb,
                   overlay=self.library_overlay, fonts=font_list())
        kw["env"] = {"PATH": "/usr/bin:/bin"}
        # the kernel's own terminal output (its start-up banner, a learner's os.write(2, ...))
        # never reaches the grader's terminal; what the notebook prints comes over ZeroMQ
        kw["stdout"] = kw["stderr"] = subprocess.DEVNULL
        kw["stdin"] = subprocess.DEVNULL
        return await super()._async_launch_kernel(cmd, **kw)

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        await super()._async_cleanup_resources(restart=restart)
        if not restart:
            shutil.rmtree(self._ipc_dir, ignore_errors=True)

    def __del__(self):
        shutil.rmtree(getattr(self, "_ipc_dir", ""), ignore_errors=True)
