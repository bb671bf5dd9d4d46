"""The index folder's layout and its `manifest.json`: names, versions, checksums, fingerprints.

The index folder holds builds side by side (`builds/<id>/`) and a `current` symlink naming the
live one; a rebuild writes a new build and swaps the link with one atomic rename, so a reader
(or a crash) never sees half an index. A folder that holds a manifest directly (a copied build)
is accepted too.

This module knows names, hashes and the one freshness rule (`changes_since`) that both the
writer (`python -m ingest`: "index up to date") and the app (stale banner) apply; it does not load
FAISS, BM25 or the model.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from ..errors import IndexCorruptError, IndexMissingError

# 2: sentence windows and their BM25, a FAISS index over sentences; manifest.sha256 beside manifest.json
# 3: one pipeline -- no chunk vectors or chunk/sentence BM25; `terms.json`; `sentences.faiss` only
#    above the exact-search limit
# 4: each sentence carries its amounts (`sentences.jsonl`): a build without them is refused, not
#    read as one whose sentences hold no figure
FORMAT_VERSION = 4
# Bump when chunking, context text, tokenisation or what `amounts` reads change: an index built by
# other code is stale.
# 2026-11-23.16: sentence windows, chunks cut to the model's window, articles carry license/doi/published,
# builds store embedding keys
# 2026-12-01.1: articles carry review_by and retracted
# 2026-12-01.2: articles carry tags
# 2026-12-01.3: an imported PDF's article carries original_pdf, its sentences their page
# 2026-12-02.1: sentences carry their amounts (numbers with units), taken at build time
PIPELINE_VERSION = "2026-12-02.1"

MANIFEST = "manifest.json"
# The sha256 of manifest.json's bytes: the manifest checks every other file, this checks the manifest.
MANIFEST_SHA256 = "manifest.sha256"
CURRENT = "current"
BUILDS = "builds"
SENTENCE_VECTORS = "sentences.npy"
ARTICLES = "articles.jsonl"
CHUNKS = "chunks.jsonl"
SENTENCES = "sentences.jsonl"
SENTENCE_INDEX = "sentences.faiss"  # only for more sentences than `write.FLAT_LIMIT`: an IVF index
TERMS = "terms.json"  # the articles' stems and their sentence counts (`terms.py`)
WINDOWS = "windows.npy"
ENCODER = "encoder.onnx"  # with the onnx runtime: the exported model (a hard link to the per-user cache's copy)
WINDOW_BM25_DIR = "bm25_windows"
LEXICON = "lexicon.yaml"
DISCLAIMER = "disclaimer.md"

# Files of the corpus folder that are inputs of a build besides the articles.
CORPUS_SIDE_FILES = (LEXICON, DISCLAIMER)
ARTICLES_DIR = "articles"


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def corpus_files(corpus_dir: Path) -> list[Path]:
    """The files a build reads: every article, its original capture, the lexicon, the disclaimer."""
    articles = sorted((corpus_dir / ARTICLES_DIR).glob("*.md"))
    originals = sorted((corpus_dir / "originals").glob("*")) if (corpus_dir / "originals").is_dir() else []
    side = [corpus_dir / name for name in CORPUS_SIDE_FILES if (corpus_dir / name).exists()]
    return articles + [p for p in originals if p.is_file()] + side


def corpus_fingerprint(corpus_dir: Path) -> dict[str, str]:
    return {
        p.relative_to(corpus_dir).as_posix(): file_sha256(p) for p in corpus_files(corpus_dir)
    }


def fingerprint_changes(built: Mapping[str, str], now: Mapping[str, str]) -> list[str]:
    """What differs between the corpus an index was built from and the corpus now.

    >>> fingerprint_changes({"a.md": "1", "b.md": "2"}, {"a.md": "1", "b.md": "3", "c.md": "4"})
    ['b.md changed', 'c.md added']
    """
    changes = []
    for name in sorted(set(built) | set(now)):
        if name not in now:
            changes.append(f"{name} removed")
        elif name not in built:
            changes.append(f"{name} added")
        elif built[name] != now[name]:
            changes.append(f"{name} changed")
    return changes


@dataclass(frozen=True)
class Manifest:
    format_version: int
    pipeline_version: str
    model_id: str
    model_sha256: str
    dim: int
    corpus: Mapping[str, str]  # corpus file -> sha256
    counts: Mapping[str, int]
    built_at: str
    artifacts: Mapping[str, str]  # artifact path relative to the build -> sha256
    index_type: str  # how the sentence vectors are searched: "flat" (exactly) or "ivf"
    encoder: str = "torch"  # the runtime that encoded the vectors and encodes queries: "onnx" or "torch"
    left_out: Mapping[str, str] = field(default_factory=dict)  # corpus file -> why it is not in this build (--skip-broken)

    def to_json(self) -> dict[str, Any]:
        return {
            "format_version": self.format_version,
            "pipeline_version": self.pipeline_version,
            "model": {"id": self.model_id, "sha256": self.model_sha256, "dim": self.dim},
            "corpus": dict(self.corpus),
            "counts": dict(self.counts),
            "built_at": self.built_at,
            "index_type": self.index_type,
            "artifacts": dict(self.artifacts),
            **({"encoder": {"runtime": self.encoder}} if self.encoder != "torch" else {}),
            **({"left_out": dict(self.left_out)} if self.left_out else {}),
        }

    @property
    def digest(self) -> str:
        """A short, stable id of this build (shown in the app and in exports)."""
        blob = json.dumps(self.to_json(), sort_keys=True).encode()
        return hashlib.sha256(blob).hexdigest()[:16]


def manifest_from_json(data: Mapping[str, Any], path: str) -> Manifest:
    try:
        return Manifest(
            format_version=int(data["format_version"]),
            pipeline_version=str(data["pipeline_version"]),
            model_id=str(data["model"]["id"]),
            model_sha256=str(data["model"]["sha256"]),
            dim=int(data["model"]["dim"]),
            corpus=dict(data["corpus"]),
            counts={k: int(v) for k, v in data["counts"].items()},
            built_at=str(data["built_at"]),
            artifacts=dict(data["artifacts"]),
            index_type=str(data["index_type"]),
            encoder=_runtime(data.get("encoder", {"runtime": "torch"})),
            left_out={str(k): str(v) for k, v in data.get("left_out", {}).items()},
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise IndexCorruptError(path, f"manifest field missing or malformed ({exc!r})") from exc


def _runtime(field: Any) -> str:
    runtime = field.get("runtime") if isinstance(field, Mapping) else None
    if runtime not in ("onnx", "torch"):
        raise ValueError(f"encoder {field!r} is not onnx or torch")
    return runtime


def resolve_build(index_dir: Path) -> Path:
    """The folder of the live build inside `index_dir`, resolved once so a reader keeps reading
    one build even if a rebuild swaps `current` meanwhile."""
    link = index_dir / CURRENT
    if link.exists():
        return link.resolve()
    if (index_dir / MANIFEST).exists():
        return index_dir
    raise IndexMissingError(str(index_dir))


def read_manifest(build_dir: Path, *, any_format: bool = False) -> Manifest:
    """The build's verified manifest; one of another format version is refused unless `any_format`
    (a rebuild may still reuse an older build's vectors)."""
    path = build_dir / MANIFEST
    try:
        raw = path.read_bytes()
    except FileNotFoundError as exc:
        raise IndexCorruptError(str(path), "the manifest is missing") from exc
    check_manifest_bytes(build_dir, raw)
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise IndexCorruptError(str(path), f"the manifest is not valid JSON ({exc})") from exc
    if not isinstance(data, dict):
        raise IndexCorruptError(str(path), "the manifest is not a JSON object")
    manifest = manifest_from_json(data, str(path))
    if manifest.format_version != FORMAT_VERSION and not any_format:
        raise IndexCorruptError(
            str(path),
            f"it has format version {manifest.format_version}, this code reads {FORMAT_VERSION}",
        )
    return manifest


def write_manifest(build_dir: Path, manifest: Manifest) -> None:
    """Write manifest.json, then its checksum beside it (both atomically)."""
    write_json_atomic(build_dir / MANIFEST, manifest.to_json())
    digest = hashlib.sha256((build_dir / MANIFEST).read_bytes()).hexdigest()
    tmp = build_dir / (MANIFEST_SHA256 + ".tmp")
    tmp.write_text(f"{digest}  {MANIFEST}\n", encoding="ascii")
    os.replace(tmp, build_dir / MANIFEST_SHA256)


def check_manifest_bytes(build_dir: Path, raw: bytes) -> None:
    """Refuse a manifest whose bytes differ from its recorded sha256 (a flipped bit in a field the
    JSON parser accepts would otherwise be served), or one without a recorded sha256."""
    sidecar = build_dir / MANIFEST_SHA256
    try:
        recorded = sidecar.read_text(encoding="ascii").split()[0]
    except (FileNotFoundError, UnicodeDecodeError, IndexError) as exc:
        raise IndexCorruptError(str(sidecar), "the manifest's checksum is missing or unreadable") from exc
    if hashlib.sha256(raw).hexdigest() != recorded:
        raise IndexCorruptError(str(build_dir / MANIFEST), f"its checksum does not match {MANIFEST_SHA256}")


def verify_artifacts(build_dir: Path, manifest: Manifest, *, skip: tuple[str, ...] = ()) -> None:
    """Check every artifact the manifest lists (but `skip`) exists and has its recorded sha256."""
    for rel, expected in sorted(manifest.artifacts.items()):
        if rel in skip:
            continue
        path = build_dir / rel
        if not path.is_file():
            raise IndexCorruptError(str(path), "the file is missing")
        if file_sha256(path) != expected:
            raise IndexCorruptError(str(path), "its checksum does not match the manifest")


def changes_since(manifest: Manifest, corpus: Mapping[str, str], *, model_sha256: str | None = None,
                  encoder: str | None = None) -> list[str]:
    """Why a build no longer matches its inputs (empty: it is fresh): corpus files added, removed
    or edited, other pipeline code, or (when given) other model weights or another encoder runtime.

    >>> m = Manifest(FORMAT_VERSION, PIPELINE_VERSION, "m", "abc", 3, {"a.md": "1"}, {}, "", {}, "flat")
    >>> changes_since(m, {"a.md": "1"}), changes_since(m, {"a.md": "2"}, model_sha256="abd")
    ([], ['a.md changed', 'built with model weights abc…, abd… are loaded'])
    """
    changes = fingerprint_changes(manifest.corpus, corpus)
    if manifest.pipeline_version != PIPELINE_VERSION:
        changes.append(f"built by pipeline {manifest.pipeline_version}, this code is {PIPELINE_VERSION}")
    if model_sha256 is not None and manifest.model_sha256 != model_sha256:
        changes.append(f"built with model weights {manifest.model_sha256[:12]}…, {model_sha256[:12]}… are loaded")
    if encoder is not None and manifest.encoder != encoder:
        changes.append(f"built for the {manifest.encoder} encoder, {encoder} asked")
    return changes


def write_json_atomic(path: Path, data: Any) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, path)
