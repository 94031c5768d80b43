"""pyproject.toml and environment.yml list the same packages with the same version specifiers.

pip users install from pyproject.toml, conda / Binder users from environment.yml; a
package or a pin present in one and not the other gives two different courses.
"""
from __future__ import annotations

import pathlib
import re
import tomllib

import pytest
import yaml  # PyYAML: a dependency of nbgrader (and jupyter-events), so always installed

ROOT = pathlib.Path(__file__).resolve().parents[1]
IGNORED = {"python", "pip"}  # the interpreter and the installer are not dependencies of optimlab

REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*(.*?)\s*$")


def normalise_name(name: str) -> str:
    """PEP 503: case-insensitive, runs of -, _ and . are the same."""
    return re.sub(r"[-_.]+", "-", name).lower()


def normalise_spec(spec: str) -> str:
    """A version specifier set, order- and whitespace-independent: '<5, >=4.2' == '>=4.2,<5'."""
    parts = [p.replace(" ", "") for p in spec.split(",") if p.strip()]
    return ",".join(sorted(parts))


def parse(requirement: str) -> tuple[str, str]:
    match = REQUIREMENT.match(requirement)
    if not match:
        raise ValueError(f"cannot parse requirement {requirement!r}")
    name, _extras, spec = match.groups()
    # conda's single '=' means '==' only for exact pins; the files here use pip syntax throughout.
    return normalise_name(name), normalise_spec(spec)


def to_dict(requirements) -> dict[str, str]:
    out = {}
    for req in requirements:
        name, spec = parse(req)
        assert name not in out, f"{name} is listed twice"
        out[name] = spec
    return out


def pyproject_requirements(path=ROOT / "pyproject.toml") -> dict[str, str]:
    data = tomllib.loads(pathlib.Path(path).read_text())
    project = data["project"]
    return to_dict(project["dependencies"] + project["optional-dependencies"]["test"])


def environment_requirements(path=ROOT / "environment.yml") -> dict[str, str]:
    env = yaml.safe_load(pathlib.Path(path).read_text())
    conda, pip_lines = [], []
    for item in env["dependencies"]:
        if isinstance(item, dict):
            pip_lines += item.get("pip", [])
        else:
            conda.append(item)
    # The pip section installs the course package itself (editable) and the packages conda-forge lacks.
    pip_reqs = [line for line in pip_lines if line.strip() != "-e ."]
    assert all(not line.strip().startswith("-") for line in pip_reqs), pip_lines
    return {name: spec for name, spec in to_dict(conda + pip_reqs).items() if name not in IGNORED}


def test_parsers():
    assert parse("jupyterlab>=4.2,<5") == ("jupyterlab", "<5,>=4.2")
    assert parse("JupyterLab >= 4.2, < 5") == ("jupyterlab", "<5,>=4.2")
    assert parse("Foo_Bar.baz==1.0") == ("foo-bar-baz", "==1.0")
    assert parse("numpy") == ("numpy", "")
    assert parse("optimlab[test]>=0.1") == ("optimlab", ">=0.1")


def differences(py: dict[str, str], env: dict[str, str]) -> list[str]:
    problems = []
    only_py = sorted(set(py) - set(env))
    only_env = sorted(set(env) - set(py))
    if only_py:
        problems.append(f"in pyproject.toml but not in environment.yml: {only_py}")
    if only_env:
        problems.append(f"in environment.yml but not in pyproject.toml: {only_env}")
    differ = {name: (py[name], env[name]) for name in sorted(set(py) & set(env)) if py[name] != env[name]}
    if differ:
        problems.append(f"different version specifiers (pyproject, environment.yml): {differ}")
    return problems


def test_same_packages_and_specifiers():
    problems = differences(pyproject_requirements(), environment_requirements())
    assert not problems, "; ".join(problems)


@pytest.mark.parametrize("edit, expected", [
    (lambda t: t.replace("  - tqdm>=4.66\n", ""), "in pyproject.toml but not in environment.yml: ['tqdm']"),
    (lambda t: t.replace("  - pip:\n", "  - scipy>=1.11\n  - pip:\n"), "not in pyproject.toml: ['scipy']"),
    (lambda t: t.replace("nbgrader==0.9.6", "nbgrader>=0.9"), "'nbgrader': ('==0.9.6', '>=0.9')"),
    (lambda t: t.replace("jupyterlab>=4.2,<5", "JupyterLab < 5 , >=4.2"), None),  # same set, other spelling
    # the pip section counts too: MathJax dropped from it, or pinned differently there
    (lambda t: t.replace("      - django-static-mathjax==3.2.2.1\n", ""),
     "in pyproject.toml but not in environment.yml: ['django-static-mathjax']"),
    (lambda t: t.replace("django-static-mathjax==3.2.2.1", "django-static-mathjax>=3"),
     "'django-static-mathjax': ('==3.2.2.1', '>=3')"),
])
def test_a_mismatch_is_detected(tmp_path, edit, expected):
    env_file = tmp_path / "environment.yml"
    env_file.write_text(edit((ROOT / "environment.yml").read_text()))
    problems = differences(pyproject_requirements(), environment_requirements(env_file))
    if expected is None:
        assert problems == []
    else:
        assert len(problems) == 1 and expected in problems[0], problems


def test_environment_pins_python_and_installs_the_package():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda = [d for d in env["dependencies"] if isinstance(d, str)]
    pip = [d for d in env["dependencies"] if isinstance(d, dict)]
    assert any(parse(d)[0] == "python" for d in conda)
    assert pip and "-e ." in pip[0]["pip"]
    py_req = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    env_python = next(parse(d)[1] for d in conda if parse(d)[0] == "python")
    assert normalise_spec(py_req) == env_python


@pytest.mark.parametrize("source", [pyproject_requirements, environment_requirements], ids=["pyproject", "environment"])
def test_nbgrader_is_pinned(source):
    assert source()["nbgrader"] == "==0.9.6"


@pytest.mark.parametrize("source", [pyproject_requirements, environment_requirements], ids=["pyproject", "environment"])
def test_every_dependency_has_a_lower_bound(source):
    # Unbounded requirements let an old, incompatible release satisfy the environment.
    for name, spec in source().items():
        assert spec.startswith(("==", ">=")) or ">=" in spec, (name, spec)


def test_torch_is_not_a_dependency():
    # torch is only used (in a separate venv) by scripts/record_torch_fixtures.py.
    assert "torch" not in pyproject_requirements()
    assert "torch" not in environment_requirements()
