"""An installed copy (a wheel, not the editable checkout) carries every module, template and static
file the app reads: a package left out of pyproject.toml works in the checkout and fails on the
hospital's server."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile

from tests.conftest import ROOT

PACKAGES = ("qa", "ingest", "serving", "chatpage", "eval")
SHIPPED = {".py", ".html", ".css", ".js"}


def _tracked() -> list[str]:
    out = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    return [line for line in out.splitlines() if line]


def test_the_wheel_holds_every_module_template_and_static_file(tmp_path):
    source = tmp_path / "source"
    files = _tracked()
    for name in files:  # the tracked files only: no build/, index/ or caches in the copy
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, source / name)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
                    "-w", str(tmp_path / "wheel"), str(source)], check=True, capture_output=True)
    [wheel] = list((tmp_path / "wheel").glob("quoteqa-*.whl"))
    inside = set(zipfile.ZipFile(wheel).namelist())
    wanted = {name for name in files if name.split("/")[0] in PACKAGES and "." + name.rsplit(".", 1)[-1] in SHIPPED}
    assert {"qa/index/read.py", "qa/present/viewer.py", "app.py"} <= inside
    assert wanted - inside == set()
