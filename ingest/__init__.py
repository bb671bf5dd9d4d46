"""Build the QuoteQA index folder from the corpus folder: `python -m ingest`."""

from .build import BuildResult, build_index
from .corpus import load_corpus
from .parse import CorpusError

__all__ = ["BuildResult", "CorpusError", "build_index", "load_corpus"]
