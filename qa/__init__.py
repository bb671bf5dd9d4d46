"""QuoteQA's answer engine: `qa.load(index_dir).ask(question, history)` -> `Answer` (data).

Layers, each importing only those below it: `qa.present` (Markdown, text, JSON, source view,
export) → this package (the engine: retrieve, rank, follow-ups, quotes, abstention) →
`qa.index` (the on-disk format). `qa.embed` is the model at the edge.
"""

from .index.amounts import in_base
from .answer import Answer, FigureItem, Figures, Passage, Quote, Reference, Source
from .engine import Engine, load
from .reading import MAX_QUESTION_CHARS
from .settings import Settings
from .errors import IndexCorruptError, IndexMissingError, IndexStaleError, ModelError, QuoteQAError

__all__ = [
    "Answer", "Engine", "FigureItem", "Figures", "IndexCorruptError", "IndexMissingError", "IndexStaleError", "MAX_QUESTION_CHARS",
    "ModelError", "Passage", "Quote", "QuoteQAError", "Reference", "Settings", "Source", "in_base", "load",
]
