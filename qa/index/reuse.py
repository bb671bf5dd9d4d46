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

SENTENCE_KEYS = "sentence_keys.npy"
KEY_DTYPE = "S32"  # raw sha256 digests: fixed-width bytes load without pickles


def embedding_keys(texts: Sequence[str], model_sha256: str) -> np.ndarray:
    """One key per text: sha256 of the model's sha and the exact text, as raw bytes."""
    prefix = model_sha256.encode("ascii") + b"\0"
    return np.array([hashlib.sha256(prefix + t.encode("utf-8")).digest() for t in texts], dtype=KEY_DTYPE)


def write_embedding_keys(folder: Path, sentence_texts: Sequence[str], model_sha256: str) -> None:
    np.save(folder / SENTENCE_KEYS, embedding_keys(sentence_texts, model_sha256), allow_pickle=False)


@dataclass(frozen=True)
class StoredVectors:
    """Sentence vectors of an earlier build by embedding key (empty when there is none)."""
    sentences: Mapping[bytes, np.ndarray]


NO_VECTORS = StoredVectors({})


def stored_vectors(build_dir: Path, manifest: mf.Manifest) -> StoredVectors:
    """The sentence vectors of a verified build (of this format or an earlier one: the keys say
    which text and model made each vector), keyed; `NO_VECTORS` for a build made before keys were
    stored or whose keys and rows do not line up."""
    if not (build_dir / SENTENCE_KEYS).is_file():
        return NO_VECTORS
    keys = np.load(build_dir / SENTENCE_KEYS, allow_pickle=False)
    vectors = np.load(build_dir / mf.SENTENCE_VECTORS, allow_pickle=False)
    if len(vectors) != len(keys) or vectors.ndim != 2 or vectors.shape[1] != manifest.dim:
        return NO_VECTORS
    return StoredVectors(dict(zip(keys.tolist(), vectors)))
