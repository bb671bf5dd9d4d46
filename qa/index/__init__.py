"""The index format, writer and reader side by side: records, layout and manifest (with the one
freshness rule), writing a build and switching it in atomically, reading and verifying it, the
BM25 and vector files, and following `current` while serving.

Knows no model and no answer: vectors arrive made, and the reader checks the model's sha256 only
as a string the caller passes.
"""

from .layout import ENCODER, Manifest, changes_since, corpus_fingerprint, resolve_build
from .live import LiveIndex
from .read import Store, load_store, read_records
from .reuse import NO_VECTORS, StoredVectors, embedding_keys, stored_vectors
from .records import Article, Chunk, Sentence, context_text, sentence_context_text
from .vectors import nearest
from .write import (BuildContent, current_manifest_if_valid, encoder_intact, index_lock, remove_unfinished_builds,
                    write_build)

__all__ = [
    "Article", "BuildContent", "Chunk", "ENCODER", "LiveIndex", "Manifest", "NO_VECTORS", "Sentence", "Store",
    "StoredVectors", "changes_since", "context_text", "corpus_fingerprint", "current_manifest_if_valid",
    "embedding_keys", "encoder_intact", "index_lock", "load_store", "nearest", "read_records", "remove_unfinished_builds", "resolve_build",
    "sentence_context_text", "stored_vectors", "write_build",
]
