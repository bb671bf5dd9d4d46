"""The layering rules of ARCHITECTURE.md, checked on the source: every module has a layer, and
each layer imports only the layers it is allowed (an allow-list); who may change process-wide
settings; that `app.py`, `chatpage/` and `eval/` use only public names; that records crossing
layers are frozen and built by keyword; and that no function grows past 40 lines. Each rule fails
with the file, line and what to do instead."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import ROOT

MAX_FUNCTION_LINES = 40  # docstring included: a function that needs more is two steps


def _sources(*folders: str) -> list[Path]:
    out = []
    for folder in folders:
        path = ROOT / folder
        out += [path] if path.suffix == ".py" else sorted(path.rglob("*.py"))
    return out


def _module_name(path: Path, root: Path = ROOT) -> str:
    rel = path.relative_to(root).with_suffix("")
    parts = list(rel.parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path, root: Path = ROOT) -> list[tuple[int, str]]:
    """(line, absolute module name) of every import in the file, relative ones resolved."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    name = _module_name(path, root)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            found.append((node.lineno, module))
            found += [(node.lineno, f"{module}.{alias.name}") for alias in node.names]  # `from qa import present`
    return found


def _violations(paths, forbidden, root: Path = ROOT) -> list[str]:
    bad = []
    for path in paths:
        for line, module in imports(path, root):
            for prefix in forbidden:
                if module == prefix or module.startswith(prefix + "."):
                    bad.append(f"{path.relative_to(root)}:{line} imports {module}")
    return sorted(set(bad))


# Every module of the project belongs to one layer, by its dotted name (the first prefix that
# matches): a module that matches none fails `test_every_module_has_a_layer` until it is given one
# here, so a new module is covered by the rules the day it appears.
LAYERS = (
    ("errors", ("qa.errors",)),
    ("index", ("qa.index",)),  # the on-disk format, its writer and reader
    ("model", ("qa.embed", "qa.onnx_encoder")),  # the model at the edge
    ("present", ("qa.present",)),
    ("cli", ("qa.__main__",)),
    ("engine", ("qa",)),  # the rest of qa/
    ("ingest", ("ingest",)),
    ("serving", ("serving",)),
    ("page", ("chatpage",)),
    ("app", ("app",)),
    ("eval", ("eval",)),
)
# The project's layers each layer may import (an allow-list: what is not named is refused).
MAY_IMPORT = {
    "errors": {"errors"},
    "index": {"errors", "index"},
    "model": {"errors", "index", "model"},  # the index's file hashing
    "engine": {"errors", "index", "model", "engine"},  # never the presentation
    "present": {"errors", "index", "engine", "present"},  # answers and builds, never the model itself
    "cli": {"errors", "index", "model", "engine", "present", "cli"},
    "ingest": {"errors", "index", "model", "ingest"},  # builds through qa.index, answers nothing
    "serving": {"serving"},  # HTTP and files only; the app hands it what it needs
    "page": {"errors", "index", "model", "engine", "present", "serving", "page"},  # builds no index
    "app": {"errors", "index", "model", "engine", "present", "serving", "page", "ingest", "app"},
    "eval": {"errors", "index", "model", "engine", "present", "serving", "ingest", "eval"},
}
# Libraries a layer must not import: the model's stay at its edge, the web framework above the engine.
MODEL_LIBRARIES = ["sentence_transformers", "torch", "transformers"]
NOT_LIBRARIES = {"index": MODEL_LIBRARIES + ["gradio"], "engine": ["gradio"], "present": MODEL_LIBRARIES + ["gradio"],
                 "ingest": ["gradio"], "page": MODEL_LIBRARIES}
PROJECT = ("qa", "ingest", "serving", "chatpage", "eval", "app")
NOT_PROJECT_CODE = {".venv", "tests", "build", "docs", "corpus", "index", "feedback", "artifacts"}


def layer_of(module: str) -> str | None:
    for layer, prefixes in LAYERS:
        if any(module == p or module.startswith(p + ".") for p in prefixes):
            return layer
    return None


def _violations(paths, root: Path = ROOT) -> list[str]:
    bad = []
    for path in paths:
        mine = layer_of(_module_name(path, root))
        for line, module in imports(path, root):
            theirs = layer_of(module)
            if theirs is not None and theirs not in MAY_IMPORT[mine]:
                bad.append(f"{path.relative_to(root)}:{line} imports {module} ({mine} may not import {theirs})")
            if any(module == lib or module.startswith(lib + ".") for lib in NOT_LIBRARIES.get(mine, ())):
                bad.append(f"{path.relative_to(root)}:{line} imports {module} (not in the {mine} layer)")
    return sorted(set(bad))


def test_every_module_has_a_layer():
    """Every Python file of the project outside tests/ is in a package of LAYERS."""
    found = [p for p in ROOT.rglob("*.py") if not (NOT_PROJECT_CODE & set(p.relative_to(ROOT).parts))
             and not p.relative_to(ROOT).parts[0].startswith((".", "index")) and "generated" not in p.parts]
    stray = [str(p.relative_to(ROOT)) for p in found if layer_of(_module_name(p)) is None]
    assert found and not stray, "give these modules a layer in LAYERS (and ARCHITECTURE.md):\n" + "\n".join(stray)


def test_each_layer_imports_only_what_it_may():
    bad = _violations(_sources(*PROJECT[:-1], "app.py"))
    assert not bad, "an import crosses the layers (see ARCHITECTURE.md):\n" + "\n".join(bad)


def test_the_rules_catch_an_upward_import(tmp_path):
    """The checker itself: the model and its library inside qa/index, and the presentation inside
    the engine, are reported."""
    index = tmp_path / "qa" / "index" / "bad.py"
    engine = tmp_path / "qa" / "new_step.py"
    index.parent.mkdir(parents=True)
    index.write_text("from ..embed import Embedder\nimport sentence_transformers\n")
    engine.write_text("from .present import render_markdown\nfrom .answer import Answer\n")
    assert _violations([index, engine], root=tmp_path) == [
        "qa/index/bad.py:1 imports qa.embed (index may not import model)",
        "qa/index/bad.py:1 imports qa.embed.Embedder (index may not import model)",
        "qa/index/bad.py:2 imports sentence_transformers (not in the index layer)",
        "qa/new_step.py:1 imports qa.present (engine may not import present)",
        "qa/new_step.py:1 imports qa.present.render_markdown (engine may not import present)"]
    assert layer_of("webui.page") is None and layer_of("qa.new_step") == "engine"


PUBLIC = {"qa", "qa.present", "qa.index", "qa.embed", "qa.errors", "ingest", "serving"}
# what the page package may import of the project: the public faces below it, nothing of ingest
PAGE_PUBLIC = {"qa", "qa.present", "qa.index", "qa.embed", "serving"}


def _private_uses(path: Path, public: set[str], root: Path = ROOT) -> list[str]:
    """Imports of the project's modules outside `public`, and reads of an engine's private parts."""
    bad = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        modules = []
        if isinstance(node, ast.ImportFrom) and not node.level and node.module:
            modules = [node.module]
        elif isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        for module in modules:
            if module.split(".")[0] in ("qa", "ingest", "serving") and module not in public:
                bad.append(f"{path.relative_to(root)}:{node.lineno} imports from {module}")
        if isinstance(node, ast.Attribute) and node.attr in ("_store", "_embedder", "_retriever", "store",
                                                             "embedder", "retriever"):
            if isinstance(node.value, ast.Name) and node.value.id == "engine":
                bad.append(f"{path.relative_to(root)}:{node.lineno} reads engine.{node.attr}")
    return bad


def test_app_and_eval_use_public_names_only():
    """They import the packages' public faces, and never reach into an engine's private parts."""
    bad = [line for path in _sources("app.py", "eval") for line in _private_uses(path, PUBLIC)]
    assert not bad, "use the public API of qa / qa.present / qa.index instead:\n" + "\n".join(bad)


def test_the_page_uses_public_names_of_qa_and_serving_only():
    """chatpage/ is app.py's page: it reads qa, qa.present, qa.index, qa.embed and serving through
    their public faces, and never builds an index (ingest) itself."""
    bad = [line for path in _sources("chatpage") for line in _private_uses(path, PAGE_PUBLIC)]
    assert not bad, "use the public API of qa / qa.present / qa.index / serving instead:\n" + "\n".join(bad)


def test_the_rules_catch_a_page_reaching_into_the_engine(tmp_path):
    """The checker itself: an import of an engine module and a read of its store are reported."""
    fake = tmp_path / "bad.py"
    fake.write_text("from qa.engine import Engine\nimport ingest.build\nengine._store\n")
    bad = [line.split(" ", 1)[1] for line in _private_uses(fake, PAGE_PUBLIC, root=tmp_path)]
    assert bad == ["imports from qa.engine", "imports from ingest.build", "reads engine._store"]


def _sets_process_state(node: ast.AST) -> bool:
    """`os.environ[...] = `, `os.environ.update/setdefault(...)`, `os.putenv`, thread-count setters."""
    if isinstance(node, (ast.Assign, ast.AugAssign)):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        return any(isinstance(t, ast.Subscript) and "environ" in ast.unparse(t.value) for t in targets)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        name = ast.unparse(node.func)
        return (("environ" in name and node.func.attr in ("update", "setdefault", "pop", "__setitem__"))
                or node.func.attr in ("putenv", "omp_set_num_threads", "set_num_threads", "set_num_interop_threads"))
    return False


def test_only_entry_points_change_process_wide_settings():
    bad = []
    for path in _sources("qa", "ingest", "serving", "chatpage"):
        if path.name == "__main__.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if _sets_process_state(node):
                bad.append(f"{path.relative_to(ROOT)}:{node.lineno} {ast.unparse(node)[:60]}")
    assert not bad, "library code changes process-wide state; do it in app.py or a __main__:\n" + "\n".join(bad)


def test_no_function_is_longer_than_forty_lines():
    long = []
    for path in _sources("qa", "ingest", "serving", "eval", "chatpage", "app.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = node.end_lineno - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    long.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name} has {length} lines")
    assert not long, f"split these into steps of at most {MAX_FUNCTION_LINES} lines:\n" + "\n".join(long)


def test_answers_are_data_only():
    """The engine's Answer carries no rendered markup; `qa.present` renders it."""
    from dataclasses import fields

    from qa import Answer

    assert "markdown" not in {f.name for f in fields(Answer)}


BOUNDARIES = ("qa.answer", "chatpage.update", "chatpage.ratings", "chatpage.handlers")  # records that cross layers


def test_records_that_cross_layers_are_frozen_and_built_by_keyword():
    """What the engine returns and what the page's handlers return and keep in the session are
    frozen records built with keywords only: a record built by position breaks silently the day a
    field is added in the middle."""
    import dataclasses
    import importlib

    records = [cls for name in BOUNDARIES for cls in vars(importlib.import_module(name)).values()
               if dataclasses.is_dataclass(cls) and cls.__module__ == name]
    assert {"Answer", "Quote", "Source", "PageUpdate", "Rating", "Cleared"} <= {cls.__name__ for cls in records}
    loose = [cls.__name__ for cls in records if not cls.__dataclass_params__.frozen
             or not all(f.kw_only for f in dataclasses.fields(cls))]
    assert not loose, "declare these @dataclass(frozen=True, kw_only=True):\n" + "\n".join(loose)
