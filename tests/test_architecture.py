"""The layering rules of ARCHITECTURE.md, checked on the source: which package may import which,
who may change process-wide settings, that `app.py`, `chatpage/` and `eval/` use only public names,
and that no function grows past 60 lines (40 in `chatpage/`). Each rule fails with the file, line
and what to do instead."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.conftest import ROOT

MAX_FUNCTION_LINES = 60
MAX_PAGE_FUNCTION_LINES = 40  # issue 19's target, met by the page package from its start


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


# what each layer must not import (it may import everything else, standard library and packages)
RULES = {
    "qa/index": ["qa.engine", "qa.answer", "qa.present", "qa.embed", "qa.retrieve", "qa.quotes", "qa.followup",
                 "qa.lexicon", "qa.disclaimer", "sentence_transformers", "torch", "transformers",
                 "gradio", "app", "chatpage", "eval", "ingest"],
    "qa/present": ["gradio", "app", "chatpage", "eval", "ingest", "sentence_transformers", "torch"],
    "qa": ["gradio", "app", "chatpage", "eval", "ingest"],
    "ingest": ["qa.engine", "qa.present", "qa.retrieve", "qa.quotes", "qa.answer", "gradio", "app", "chatpage", "eval"],
    "serving": ["qa", "app", "chatpage", "eval", "ingest"],  # HTTP and files only; the app hands it what it needs
    # the page: an adapter over qa, qa.present and serving; building the index and scoring are not its business
    "chatpage": ["app", "eval", "ingest", "sentence_transformers", "torch", "transformers"],
}


@pytest.mark.parametrize("layer", sorted(RULES))
def test_each_layer_imports_only_the_layers_below_it(layer):
    paths = _sources(layer)
    if layer == "qa":  # the engine proper: qa/ outside qa/present and the CLI (an entry point above both)
        paths = [p for p in paths if "present" not in p.relative_to(ROOT).parts and p != ROOT / "qa" / "__main__.py"]
        bad = _violations(paths, RULES[layer] + ["qa.present"])
    else:
        bad = _violations(paths, RULES[layer])
    assert not bad, f"{layer} reaches upward (see ARCHITECTURE.md):\n" + "\n".join(bad)


def test_the_rules_catch_an_upward_import(tmp_path):
    """The checker itself: a model import inside qa/index is reported."""
    fake = tmp_path / "qa" / "index" / "bad.py"
    fake.parent.mkdir(parents=True)
    fake.write_text("from ..embed import Embedder\nimport sentence_transformers\n")
    bad = _violations([fake], RULES["qa/index"], root=tmp_path)
    assert bad == ["qa/index/bad.py:1 imports qa.embed", "qa/index/bad.py:1 imports qa.embed.Embedder",
                   "qa/index/bad.py:2 imports sentence_transformers"]


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


def test_no_function_is_longer_than_sixty_lines():
    long = []
    for path in _sources("qa", "ingest", "serving", "eval", "chatpage", "app.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = node.end_lineno - node.lineno + 1
                limit = MAX_PAGE_FUNCTION_LINES if path.is_relative_to(ROOT / "chatpage") else MAX_FUNCTION_LINES
                if length > limit:
                    long.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name} has {length} lines (at most {limit})")
    assert not long, "split these into smaller functions:\n" + "\n".join(long)


def test_answers_are_data_only():
    """The engine's Answer carries no rendered markup; `qa.present` renders it."""
    from dataclasses import fields

    from qa import Answer

    assert "markdown" not in {f.name for f in fields(Answer)}
