"""Embedding keys: which text each stored vector was made from, so a rebuild can reuse it.

Every build stores, beside its vectors, one key per row: the sha256 of the model's weights and
the exact text that was embedded. A later build looks its texts up among the live build's keys
and encodes only those it does not find; a key match means the same model saw the same
characters, so the stored vector is the one it would compute again.

Writes and reads the key files and pulls vectors back out of a build; does not embed anything
and does not decide whether a build is needed (see `layout.changes_since`).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np

from . import layout as mf

CHUNK_KEYS = "chunk_keys.npy"
SENTENCE_KEYS = "sentence_keys.npy"
KEY_DTYPE = "S32"  # raw sha256 digests: fixed-width bytes load without pickles


def embedding_keys(texts: Sequence[str], model_sha256: str) -> np.ndarray:
    """One key per text: sha256 of the model's sha and the exact text, as raw bytes."""
    prefix = model_sha256.encode("ascii") + b"\0"
    return np.array([hashlib.sha256(prefix + t.encode("utf-8")).digest() for t in texts], dtype=KEY_DTYPE)


def write_embedding_keys(folder: Path, chunk_texts: Sequence[str], sentence_texts: Sequence[str],
                         model_sha256: str) -> None:
    np.save(folder / CHUNK_KEYS, embedding_keys(chunk_texts, model_sha256), allow_pickle=False)
    np.save(folder / SENTENCE_KEYS, embedding_keys(sentence_texts, model_sha256), allow_pickle=False)


@dataclass(frozen=True)
class StoredVectors:
    """Vectors of an earlier build by embedding key (an empty store when there is none)."""
    chunks: Mapping[bytes, np.ndarray]
    sentences: Mapping[bytes, np.ndarray]

    @property
    def size(self) -> int:
        return len(self.chunks) + len(self.sentences)


NO_VECTORS = StoredVectors({}, {})


def stored_vectors(build_dir: Path, manifest: mf.Manifest) -> StoredVectors:
    """The vectors of a verified build, keyed; `NO_VECTORS` for a build made before keys were
    stored or by another model (its keys could not match anyway)."""
    from .vectors import all_vectors, read_vector_index

    if not (build_dir / CHUNK_KEYS).is_file() or not (build_dir / SENTENCE_KEYS).is_file():
        return NO_VECTORS
    chunk_keys = np.load(build_dir / CHUNK_KEYS, allow_pickle=False)
    sentence_keys = np.load(build_dir / SENTENCE_KEYS, allow_pickle=False)
    sentence_vecs = np.load(build_dir / mf.SENTENCE_VECTORS, allow_pickle=False)
    index = read_vector_index(build_dir / mf.CHUNK_VECTORS, expected_count=len(chunk_keys), dim=manifest.dim)
    chunk_vecs = all_vectors(index)
    if len(chunk_vecs) != len(chunk_keys) or len(sentence_vecs) != len(sentence_keys):
        return NO_VECTORS  # a build whose keys do not line up with its rows is not reused
    return StoredVectors(dict(zip(chunk_keys.tolist(), chunk_vecs)), dict(zip(sentence_keys.tolist(), sentence_vecs)))
