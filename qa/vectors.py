"""The dense vector index: build, write, read (bounded) and search with FAISS.

Vectors are L2-normalised, so inner product is cosine similarity. Up to `flat_limit` vectors the
index is exact (`IndexFlatIP`); above it an HNSW graph keeps search interactive (exact search is
memory-bound: ~15 ms a query at 100k vectors, ~150 ms at 1M on this machine).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

HNSW_M = 32
HNSW_EF_CONSTRUCTION = 80
HNSW_EF_SEARCH = 96


def build_vector_index(vectors: np.ndarray, *, flat_limit: int = 100_000):
    import faiss

    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    n, dim = vectors.shape
    if n <= flat_limit:
        index, kind = faiss.IndexFlatIP(dim), "flat"
    else:
        index = faiss.IndexHNSWFlat(dim, HNSW_M, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
        kind = "hnsw"
    index.add(vectors)
    return index, kind


def write_vector_index(index, path: Path) -> None:
    import faiss

    faiss.write_index(index, str(path))


def read_vector_index(path: Path, *, expected_count: int, dim: int):
    """Read an index file, refusing one whose vector data is larger than the manifest says (a
    FAISS file has no checksum of its own: the manifest's sha256 is checked before this)."""
    import faiss

    limit = max(expected_count, 1) * dim * 4 * 2 + (1 << 20)
    previous = faiss.get_deserialization_vector_byte_limit()
    faiss.set_deserialization_vector_byte_limit(limit)
    try:
        index = faiss.read_index(str(path))
    finally:
        faiss.set_deserialization_vector_byte_limit(previous)
    if isinstance(index, faiss.IndexHNSW):
        index.hnsw.efSearch = HNSW_EF_SEARCH
    return index


def search(index, query_vecs: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    k = min(k, index.ntotal)
    scores, ids = index.search(np.ascontiguousarray(query_vecs, dtype=np.float32), k)
    return scores, ids
