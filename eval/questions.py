"""Read a question file (JSONL) into `Question` records, refusing malformed lines with their number."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

_PUNCT = re.compile(r"[^\w\s]")


@dataclass(frozen=True)
class Question:
    id: str
    question: str
    history: tuple[str, ...]
    evidence: tuple[str, ...]
    answerable: bool
    doc_id: str | None = None  # the gold article, when the question set names it (COVID-QA does)

    @property
    def followup(self) -> bool:
        return bool(self.history)


def normalise(text: str) -> str:
    """Case, punctuation and whitespace ignored: how evidence spans are matched.

    >>> normalise("Ankle-foot  orthosis (AFO)")
    'ankle foot orthosis afo'
    """
    return " ".join(_PUNCT.sub(" ", text.lower()).split())


def contains_evidence(text: str, evidence: tuple[str, ...]) -> bool:
    body = f" {normalise(text)} "
    return any(f" {normalise(span)} " in body for span in evidence)


def gold_article(doc_id: str | None, article_ids) -> str | None:
    """The indexed article a question's `doc_id` names: the article with that id, or else the one
    whose id ends in "-<doc_id>" (corpus files named `<collection>-<doc_id>.md`).

    >>> gold_article("630", ["covidqa-63", "covidqa-630"]), gold_article("x", ["a"])
    ('covidqa-630', None)
    """
    if doc_id is None:
        return None
    ids = set(article_ids)
    if doc_id in ids:
        return doc_id
    matches = [a for a in ids if a.endswith(f"-{doc_id}")]
    return matches[0] if len(matches) == 1 else None


def evidence_tokens(evidence: tuple[str, ...]) -> list[set[str]]:
    return [set(normalise(span).split()) for span in evidence]


def load_questions(path: Path) -> list[Question]:
    questions, seen = [], set()
    for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            q = Question(
                id=str(data["id"]), question=str(data["question"]),
                history=tuple(str(h) for h in data.get("history", [])),
                evidence=tuple(str(e) for e in data.get("evidence", [])),
                answerable=bool(data["answerable"]),
                doc_id=str(data["doc_id"]) if data.get("doc_id") is not None else None,
            )
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise ValueError(f"{path}:{n}: not a question record ({exc})") from exc
        if q.id in seen:
            raise ValueError(f"{path}:{n}: duplicate id {q.id!r}")
        if q.answerable and not q.evidence:
            raise ValueError(f"{path}:{n}: an answerable question needs evidence spans")
        seen.add(q.id)
        questions.append(q)
    return questions
