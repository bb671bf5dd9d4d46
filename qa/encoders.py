"""Open one build of the index with the query encoder it was made for: the ONNX export it links
(checked against the manifest before onnxruntime parses it), or PyTorch."""

from __future__ import annotations

from pathlib import Path

from .embed import Embedder
from .errors import IndexCorruptError, ModelError
from .index import Store, load_store, resolve_build
from .index.layout import ENCODER, file_sha256, read_manifest


def open_build(index_dir: Path, *, encoder: str | None = None, current=None,
               corpus_dir: Path | None = None) -> tuple[Store, object]:
    """The verified store of the build `index_dir` names, and its query encoder (`current` when it
    is the same one: a rebuild keeps the loaded model). `encoder` insists on a runtime; with
    `corpus_dir`, an index older than the corpus is refused."""
    build = resolve_build(Path(index_dir))
    manifest = read_manifest(build)
    embedder = embedder_for(build, manifest, encoder, current)
    verified = (ENCODER,) if manifest.encoder == "onnx" else ()  # embedder_for hashed it (or holds it verified)
    store = load_store(build, model_sha256=embedder.sha256, dim=embedder.dim, verified=verified,
                       corpus_dir=Path(corpus_dir) if corpus_dir is not None else None)
    return store, embedder


def embedder_for(build_dir: Path, manifest, encoder: str | None = None, current=None):
    """The query encoder for a build: `current` when it is the runtime (and ONNX file) the build
    was made with, else a new one of that runtime."""
    if encoder is not None and encoder != manifest.encoder:
        raise ModelError(f"The index at {build_dir} was built for the {manifest.encoder} encoder, not {encoder}. "
                         f"Start without `--encoder {encoder}`, or rebuild the index for it: "
                         f"`python -m ingest --force --encoder {encoder}`.")
    if manifest.encoder == "onnx":
        onnx, sha256 = build_dir / ENCODER, manifest.artifacts.get(ENCODER)
        if not onnx.is_file() or sha256 is None:
            raise IndexCorruptError(str(onnx), "the ONNX encoder is missing")
        if current is not None and getattr(current, "onnx_sha256", None) == sha256:
            return current  # a rebuild links the same export: keep the loaded session
        if file_sha256(onnx) != sha256:  # before onnxruntime parses it
            raise IndexCorruptError(str(onnx), "its checksum does not match the manifest")
        from .onnx_encoder import OnnxEmbedder

        return OnnxEmbedder(onnx, onnx_sha256=sha256)
    return current if current is not None and getattr(current, "runtime", "torch") == "torch" else Embedder()


def other_runtime(runtime: str):
    """A query encoder of `runtime` ("onnx": from the export cache; "torch")."""
    if runtime == "onnx":
        from .onnx_encoder import OnnxEmbedder, exported

        return OnnxEmbedder(exported())
    return Embedder()
