"""The sandbox's private /tmp does not hide a checkout or a venv that lives under /tmp.

bwrap mounts in order, so an empty tmpfs on /tmp mounted after the read-only roots would
cover every root below /tmp: a course cloned into /tmp (as CI and many instructors do) could
not start its own Python in the sandbox. The tmpfs comes first and the roots are bound on it.
"""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile

import pytest

import nbgrader_helpers as h

h.grader()
import optimlab_sandbox  # noqa: E402  (autograder/ is on sys.path after h.grader())


def test_private_tmp_comes_before_the_read_only_roots():
    args = optimlab_sandbox.bwrap_args(ipc_dir="/tmp/ipc", data_dir=None, uid=None)
    first_ro_bind = args.index("--ro-bind")
    assert args.index("--tmpfs") < first_ro_bind
    assert args[args.index("--tmpfs") + 1] == "/tmp"


@pytest.mark.skipif(optimlab_sandbox.sandbox_problem() is not None,
                    reason=f"no sandbox here: {optimlab_sandbox.sandbox_problem()}")
def test_a_root_under_tmp_is_readable_and_read_only_in_the_sandbox(monkeypatch):
    with tempfile.TemporaryDirectory(dir="/tmp") as root, tempfile.TemporaryDirectory() as ipc:
        os.chmod(root, 0o755)
        os.chmod(ipc, 0o777)
        path = os.path.join(root, "course.txt")
        with open(path, "w") as f:
            f.write("the course")
        os.chmod(path, 0o644)
        roots = optimlab_sandbox.readonly_roots()
        monkeypatch.setattr(optimlab_sandbox, "readonly_roots", lambda: [*roots, root])
        code = ("import sys\nprint(open(sys.argv[1]).read())\n"
                "try:\n    open(sys.argv[1], 'a')\nexcept OSError:\n    print('read-only')\n")
        cmd = optimlab_sandbox.wrap([sys.executable, "-c", code, path], ipc_dir=ipc, data_dir=None)
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split("\n")[:2] == ["the course", "read-only"]
