"""The lock files match pyproject.toml and are what is installed: every requirement of the project
(its dependencies, the test extra, the build backend) is pinned at a version pyproject allows, with
its sha256; nothing is pinned that pyproject does not lead to; the runtime lock is the test lock's
subset at the same versions; torch is the CPU wheel on this machine's disk; and this venv holds
exactly the pinned versions (`make` installs the locks with `--require-hashes`).

When one of these fails after pyproject.toml changed: run `make lock` and commit both lock files."""

from __future__ import annotations

import hashlib
import os
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from tests.conftest import ROOT

RUNTIME_LOCK, TEST_LOCK = ROOT / "requirements.lock", ROOT / "requirements-test.lock"
TORCH_WHEEL = Path("/opt/wheels/torch-2.13.0+cpu-cp311-cp311-manylinux_2_28_x86_64.whl")
FIX = "run `make lock` and commit requirements.lock and requirements-test.lock"


def read_lock(path: Path) -> tuple[dict[str, tuple[str, tuple[str, ...]]], list[str]]:
    """{canonical name: (version, sha256 hashes)} and the option lines (such as --find-links) of a
    pip-compile'd lock; an entry that is not `name==version --hash=...` fails here."""
    pins, options = {}, []
    for line in path.read_text(encoding="utf-8").replace("\\\n", " ").splitlines():
        line = line.split("#", 1)[0].strip()
        if line.startswith("-"):
            options.append(line)
        elif line:
            requirement, *hashes = line.split()
            name, sep, version = requirement.partition("==")
            assert sep and hashes and all(h.startswith("--hash=sha256:") for h in hashes), (
                f"{path.name}: {requirement} is not pinned with its sha256: {FIX}")
            pins[canonicalize_name(name)] = (version, tuple(h.removeprefix("--hash=") for h in hashes))
    return pins, options


def project_requirements(extras: tuple[str, ...]) -> list[Requirement]:
    """pyproject.toml's dependencies, build backend and the named extras (a `quoteqa[eval]` inside
    an extra brings that extra's requirements)."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    wanted = [Requirement(r) for r in project["build-system"]["requires"] + project["project"]["dependencies"]]
    todo, seen = list(extras), set()
    while todo:
        extra = todo.pop()
        seen.add(extra)
        for requirement in map(Requirement, project["project"]["optional-dependencies"][extra]):
            if canonicalize_name(requirement.name) == "quoteqa":
                todo += [e for e in requirement.extras if e not in seen]
            else:
                wanted.append(requirement)
    return [r for r in wanted if r.marker is None or r.marker.evaluate({"extra": ""})]


def needed_names(roots: list[Requirement]) -> set[str]:
    """Every distribution `roots` lead to, read from the installed packages' own requirements."""
    todo, seen = [(r.name, frozenset(r.extras)) for r in roots], set()
    while todo:
        name, extras = todo.pop()
        if (canonicalize_name(name), extras) in seen:
            continue
        seen.add((canonicalize_name(name), extras))
        for line in metadata.distribution(name).requires or []:
            r = Requirement(line)
            if r.marker is None or any(r.marker.evaluate({"extra": e}) for e in ("", *extras)):
                todo.append((r.name, frozenset(r.extras)))
    return {name for name, _ in seen}


@pytest.mark.parametrize("lock, extras", [(RUNTIME_LOCK, ()), (TEST_LOCK, ("test",))], ids=["runtime", "test"])
def test_the_lock_pins_every_requirement_of_pyproject_at_a_version_it_allows(lock, extras):
    pins, _ = read_lock(lock)
    for requirement in project_requirements(extras):
        name = canonicalize_name(requirement.name)
        assert name in pins, f"pyproject.toml asks for {requirement}, which {lock.name} lacks: {FIX}"
        assert requirement.specifier.contains(pins[name][0], prereleases=True), (
            f"pyproject.toml asks for {requirement}, {lock.name} pins {pins[name][0]}: {FIX}")


@pytest.mark.parametrize("lock, extras", [(RUNTIME_LOCK, ()), (TEST_LOCK, ("test",))], ids=["runtime", "test"])
def test_the_lock_pins_nothing_pyproject_does_not_lead_to(lock, extras):
    """A dependency taken out of pyproject.toml leaves the lock too (this reads the installed
    packages' requirements, so it runs in a venv installed from the test lock)."""
    pins, _ = read_lock(lock)
    assert needed_names(project_requirements(extras)) == set(pins), FIX


def test_the_runtime_lock_is_the_test_lock_without_the_test_extra():
    """The app runs on exactly the versions (and files) the tests ran on."""
    runtime, runtime_options = read_lock(RUNTIME_LOCK)
    test, test_options = read_lock(TEST_LOCK)
    assert {name: test.get(name) for name in runtime} == runtime, FIX
    assert runtime_options == test_options


def test_torch_is_the_cpu_wheel_on_this_machine():
    """Any other torch build pulls gigabytes of CUDA packages: the lock takes the one file in
    /opt/wheels, by its hash, and pins what constraints.txt pins."""
    pins, options = read_lock(TEST_LOCK)
    version, hashes = pins["torch"]
    constraint = Requirement((ROOT / "constraints.txt").read_text().split("#")[0].strip())
    assert version == "2.13.0+cpu" and constraint.specifier.contains(version), (version, constraint)
    assert f"--find-links {TORCH_WHEEL.parent}" in options
    if not TORCH_WHEEL.is_file():
        if os.environ.get("CI"):
            pytest.fail(f"{TORCH_WHEEL} is missing: CI runs on a machine that has the torch CPU wheel")
        pytest.skip(f"{TORCH_WHEEL} is not on this machine")
    digest = hashlib.sha256()
    with TORCH_WHEEL.open("rb") as wheel:
        while chunk := wheel.read(1 << 20):
            digest.update(chunk)
    assert hashes == (f"sha256:{digest.hexdigest()}",)


def test_this_venv_holds_exactly_the_locked_versions():
    """`make test` installed requirements-test.lock with --require-hashes: every pin is what runs."""
    pins, _ = read_lock(TEST_LOCK)
    wrong = {name: (version, _installed(name)) for name, (version, _) in pins.items()
             if _installed(name) != Version(version)}
    assert not wrong, f"installed versions differ from {TEST_LOCK.name} (pinned, installed): {wrong}; " \
                      "run `make test`, which installs the lock"


def _installed(name: str) -> Version | None:
    try:
        return Version(metadata.version(name))
    except metadata.PackageNotFoundError:
        return None
