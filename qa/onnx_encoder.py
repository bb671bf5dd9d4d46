"""The bundled MiniLM run by onnxruntime: the same vectors as sentence-transformers on PyTorch,
about three times faster per query, without importing torch to answer.

The model is exported once from the package's own weights (`torch.onnx.export`, offline) into a
per-user cache keyed by the weights and the torch version, and each index build holds a hard link
to that file (`encoder.onnx`, checksummed in its manifest like every artifact). Encoding follows
the model folder's sentence-transformers configuration: its tokenizer with truncation at
`max_seq_length` (256 word pieces, not the tokenizer file's own 128), the last hidden state
mean-pooled over the attention mask, L2-normalised.

PyTorch stays the fallback (`--encoder torch`, `qa.embed.Embedder`); an index records which
runtime built it (`manifest.encoder`) and is loaded with that one.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Sequence

import numpy as np

from .embed import MODEL_ID, bundled_model_dir, check_weights
from .errors import ModelError
from .index.layout import file_sha256

OPSET = 17
EXPORT_VERSION = 1  # of `_export`: part of the cached file's name, so a change to it exports again
RUNTIMES = ("onnx", "torch")
_INPUTS = ("input_ids", "attention_mask", "token_type_ids")


def cache_dir() -> Path:
    """Where exported models are kept between builds: $QUOTEQA_CACHE, else the user's cache."""
    if os.environ.get("QUOTEQA_CACHE"):
        return Path(os.environ["QUOTEQA_CACHE"])
    if os.environ.get("XDG_CACHE_HOME"):
        return Path(os.environ["XDG_CACHE_HOME"]) / "quoteqa"
    try:
        return Path.home() / ".cache" / "quoteqa"
    except RuntimeError:  # no home directory (a service account without one)
        return Path(tempfile.gettempdir()) / "quoteqa-cache"


def cached_export(weights_sha256: str, cache: Path | None = None) -> Path:
    """Where the export of these weights by this torch version is kept."""
    try:
        torch = version("torch")
    except PackageNotFoundError as exc:
        raise ModelError("Exporting the model to ONNX needs PyTorch, which is not installed. Install the "
                         "project (`make test` or `pip install -e .`).") from exc
    return (cache or cache_dir()) / f"minilm-{weights_sha256[:16]}-torch{torch}-opset{OPSET}-v{EXPORT_VERSION}.onnx"


def exported(model_dir: Path | None = None, weights_sha256: str | None = None, *, cache: Path | None = None) -> Path:
    """The bundled model as an ONNX file, exported on first use (about 2 s with torch loaded) and
    reused while the weights and the torch version stay the same and the file still has the sha256
    recorded beside it when it was written (a damaged copy is exported again)."""
    model_dir = Path(model_dir) if model_dir else bundled_model_dir()
    weights_sha256 = weights_sha256 or check_weights(model_dir)
    path = cached_export(weights_sha256, cache)
    sidecar = path.with_name(path.name + ".sha256")
    if path.is_file() and sidecar.is_file() and sidecar.read_text().strip() == file_sha256(path):
        return path
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".export-", suffix=".onnx")
        os.close(fd)
    except OSError as exc:
        raise ModelError(f"Cannot write the ONNX export of the model to {path.parent}: {exc}. Set QUOTEQA_CACHE "
                         "to a writable folder, or build the index with `--encoder torch`.") from exc
    try:
        _export(model_dir, Path(tmp))
        # read-only: every build holds a hard link to this file, and a write through one of them
        # would change the model under every index (readable by the account that serves them)
        os.chmod(tmp, 0o444)
        digest = file_sha256(Path(tmp))
        os.replace(tmp, path)  # another process exporting at once writes the same bytes
        Path(tmp + ".sha256").write_text(digest + "\n")
        os.replace(tmp + ".sha256", sidecar)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        Path(tmp + ".sha256").unlink(missing_ok=True)
        if isinstance(exc, Exception):  # a missing `onnx` package, a full disk, an exporter error
            raise ModelError(f"Exporting the model to ONNX failed ({type(exc).__name__}: {exc}). Reinstall the "
                             "project (`pip install -e .`), or build the index with `--encoder torch`.") from exc
        raise
    return path


def _export(model_dir: Path, dest: Path) -> None:
    import warnings

    import torch
    from transformers import AutoModel

    model = AutoModel.from_pretrained(str(model_dir)).eval()

    class LastHiddenState(torch.nn.Module):  # inputs by keyword: BertModel.forward takes more, in another order
        def __init__(self, bert):
            super().__init__()
            self.bert = bert

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.bert(input_ids=input_ids, attention_mask=attention_mask,
                             token_type_ids=token_type_ids).last_hidden_state

    example = torch.ones(1, 8, dtype=torch.long)
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")  # the TorchScript exporter's tracer notes
        torch.onnx.export(LastHiddenState(model), (example, example, torch.zeros_like(example)), str(dest),
                          dynamo=False, opset_version=OPSET, input_names=list(_INPUTS),
                          output_names=["last_hidden_state"],
                          dynamic_axes={name: {0: "batch", 1: "tokens"} for name in (*_INPUTS, "last_hidden_state")})


class OnnxEmbedder:
    """The `qa.embed.Embedder` interface over onnxruntime. Thread-safe: an inference session and
    a fast tokenizer both take concurrent calls."""

    runtime = "onnx"

    def __init__(self, onnx_path: Path, model_dir: Path | None = None, *, threads: int = 0, onnx_sha256: str = ""):
        """`onnx_sha256`: the file's checksum as its index manifest records it (verified there)."""
        import onnxruntime as ort
        from tokenizers import Tokenizer

        model_dir = Path(model_dir) if model_dir else bundled_model_dir()
        self.sha256 = check_weights(model_dir)
        self.model_id = MODEL_ID
        self.path, self.onnx_sha256 = Path(onnx_path), onnx_sha256
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.log_severity_level = 3  # errors only
        try:
            self._session = ort.InferenceSession(str(self.path), options, providers=["CPUExecutionProvider"])
        except Exception as exc:  # onnxruntime raises its own types for a missing or damaged file
            raise ModelError(f"Could not load the ONNX encoder {self.path}: {exc}. Rebuild the index "
                             "(`python -m ingest --force`) to export it again, or build it with "
                             "`python -m ingest --force --encoder torch`.") from exc
        max_tokens = int(json.loads((model_dir / "sentence_bert_config.json").read_text())["max_seq_length"])
        self._tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self._tokenizer.enable_truncation(max_length=max_tokens)
        self._tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")  # to the longest text of a batch
        self.dim = int(self._session.get_outputs()[0].shape[-1])

    def word_pieces(self, word: str) -> int:
        """How many word pieces the model's vocabulary needs for `word` (1: a common word)."""
        return len(self._tokenizer.encode(word, add_special_tokens=False).tokens)

    def word_rank(self, word: str) -> int:
        """`qa.embed.Embedder.word_rank`: the word's id in the frequency-ordered vocabulary."""
        encoding = self._tokenizer.encode(word, add_special_tokens=False)
        return encoding.ids[0] if len(encoding.ids) == 1 else self._tokenizer.get_vocab_size(with_added_tokens=True)

    bulk_batch_size = 4  # what ingest encodes with (`encode`)

    def encode(self, texts: Sequence[str], *, batch_size: int = 16, progress: bool = False) -> np.ndarray:
        """L2-normalised vectors, one row per text, the same whatever the batch size. A batch of
        questions is one model call (16 texts); a build's sentences go in batches of
        `bulk_batch_size` texts of similar length: on 2 cores 1,000 COVID-QA sentences encode at
        125-152 texts/s in batches of 4, 106-120 in batches of 16, 80-84 in 64 (2026-12-01)."""
        texts = list(texts)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]), reverse=True)  # less padding per batch
        batches = [order[i:i + batch_size] for i in range(0, len(order), batch_size)]
        bar = None
        if progress:  # texts a second and the time left, on the terminal
            from tqdm import tqdm

            bar = tqdm(total=len(texts), desc="Encoding", unit="text", file=sys.stderr)
        for rows in batches:
            encodings = self._tokenizer.encode_batch([texts[i] for i in rows])
            feed = {"input_ids": np.array([e.ids for e in encodings], dtype=np.int64),
                    "attention_mask": np.array([e.attention_mask for e in encodings], dtype=np.int64),
                    "token_type_ids": np.array([e.type_ids for e in encodings], dtype=np.int64)}
            hidden = self._session.run(None, feed)[0]
            mask = feed["attention_mask"][:, :, None].astype(np.float32)
            pooled = (hidden * mask).sum(axis=1) / np.maximum(mask.sum(axis=1), 1e-9)
            out[rows] = pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
            if bar is not None:
                bar.update(len(rows))
        if bar is not None:
            bar.close()
        return out
