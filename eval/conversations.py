"""Generate conversational turns from a question set, by a fixed rule, so that follow-up handling is
judged on hundreds of turns nobody wrote for it rather than on a few dozen hand-written ones.

`python -m eval.conversations --questions Q.jsonl --corpus CORPUS --out OUT.jsonl`

The rule, for each article with two or more answerable questions (`doc_id`), questions in file order:
- **topic**: the longest run of words that two questions of the article share, that begins and
  ends with a content word, occurs in the article's text and in at most `MAX_TOPIC_SHARE` of the
  corpus's articles (a name — "HIV-1", "bovine coronavirus", "Chronic Lymphocytic Leukemia" —
  not a word every article uses), and ends a noun phrase in the later question (followed by
  punctuation, the end, or a stop word: "HIV-1 infection" is not replaced).
- **pronoun** turn: the later question with the topic (and a "the" before it) replaced by "it"
  ("its" for "X's"), asked after the earlier one: "What is the incubation period of it?".
- **dropped** turn: the later question without the prepositional phrase that names the topic
  ("What is the incubation period?"), when one holds it.
- **triple**: a third question on the same topic, pronoun-replaced, after the two above.
- **switch**: a question of one article asked after a question of another article of the same
  split part (`eval.split`): the turn names its own subject and must not stick to the old one.
- **off-corpus**: each unanswerable question asked after an answerable one: it must abstain.

Each record is a `Question` line (evidence and `doc_id` of the turn) plus `kind` and `source_ids`.
Deterministic for a given input and seed; does not judge whether the result reads well.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Mapping, Sequence

from .questions import Question, gold_article, load_questions
from .split import part_of

MAX_TOPIC_SHARE = 0.2  # a topic phrase occurs in at most this share of the corpus's articles
SEED = 7
_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9'\-]*|[^\sA-Za-z0-9]")
# a name can hold "of" or "and" ("Agenesis of the dorsal pancreas"), not a verb
_VERBS = frozenset("is are was were be been being has have had do does did can may might will would should could "
                   "shall must".split())
_PREPOSITIONS = "of|in|for|among|with|from|by|on|against|during|to|between|within"


@dataclass(frozen=True)
class Turn:
    question: Question
    kind: str
    source_ids: tuple[str, ...]

    def record(self) -> dict:
        q = self.question
        return {"id": q.id, "history": list(q.history), "question": q.question, "evidence": list(q.evidence),
                "answerable": q.answerable, "doc_id": q.doc_id, "kind": self.kind, "source_ids": list(self.source_ids)}


def _stop() -> frozenset[str]:
    from bm25s.stopwords import STOPWORDS_EN_PLUS

    return frozenset(STOPWORDS_EN_PLUS) | {"what", "which", "how", "why", "when", "where", "who", "does", "do", "is",
                                          "are", "was", "were", "can", "the", "a", "an"}


def _words(text: str) -> list[str]:
    return [t for t in _TOKEN.findall(text) if t[0].isalnum()]


def shared_phrases(first: str, second: str, stop: frozenset[str]) -> list[str]:
    """Runs of words both questions contain, starting and ending with a content word, longest first.

    >>> shared_phrases("What causes bovine coronavirus?", "How big is bovine coronavirus?", frozenset({"is"}))
    ['bovine coronavirus', 'coronavirus', 'bovine']
    """
    a, b = [w.lower() for w in _words(first)], [w.lower() for w in _words(second)]
    found = set()
    for i in range(len(a)):
        for j in range(i + 1, len(a) + 1):
            run = a[i:j]
            if run[0] in stop or run[-1] in stop or len(run[0]) < 2 or any(w in _VERBS for w in run):
                continue
            text = " ".join(run)
            if f" {text} " in f" {' '.join(b)} ":
                found.add(text)
    return sorted(found, key=lambda t: (-len(t.split()), -len(t), t))


def _pattern(phrase: str) -> str:
    return r"\s+".join(re.escape(w) for w in phrase.split())


def _noun_phrase(question: str, phrase: str, stop: frozenset[str]) -> re.Match | None:
    """Where `phrase` stands as a whole noun phrase in `question`: a stop word (or nothing) before
    it, an abbreviation in brackets taken with it, and punctuation, a stop word or the end after it."""
    m = re.search(rf"(?i)(?<![\w-])(the\s+)?({_pattern(phrase)})('s)?(\s*\([^()]*\))?(?![\w-])", question)
    if not m:
        return None
    before, after = _words(question[:m.start()]), _TOKEN.findall(question[m.end():])
    if before and before[-1].lower() not in stop:
        return None  # the phrase ends a longer name ("Mother to Child Transmission of HIV-1")
    if after and after[0][0].isalnum() and not m.group(3) and after[0].lower() not in stop:
        return None  # the phrase modifies a noun after it ("HIV-1 infection")
    return m


def pronoun_form(question: str, phrase: str, stop: frozenset[str]) -> str | None:
    """`question` with `phrase` replaced by "it"/"its", or None where it is not a whole noun phrase.

    >>> pronoun_form("What is the size of bovine coronavirus?", "bovine coronavirus", frozenset({"of"}))
    'What is the size of it?'
    >>> pronoun_form("What is HIV-1 infection?", "hiv-1", frozenset({"is"})) is None
    True
    """
    m = _noun_phrase(question, phrase, stop)
    if not m:
        return None
    pronoun = "its" if m.group(3) else ("it" if question[:m.start()].strip() else "It")
    return f"{question[:m.start()]}{pronoun}{question[m.end():]}"


def dropped_form(question: str, phrase: str, stop: frozenset[str]) -> str | None:
    """`question` without the prepositional phrase naming the topic, or None.

    >>> dropped_form("What is the incubation period of MERS?", "mers", frozenset({"of", "the"}))
    'What is the incubation period?'
    """
    m = _noun_phrase(question, phrase, stop)
    if not m or m.group(3):
        return None
    head = re.search(rf"(?i)\s+(?:{_PREPOSITIONS})\s*$", question[:m.start()])
    if not head:
        return None
    out = question[:head.start()] + question[m.end():]
    return out if len(_words(out)) >= 3 else None


def _article_texts(corpus: Path) -> dict[str, str]:
    return {p.stem: p.read_text(encoding="utf-8").lower() for p in sorted((corpus / "articles").glob("*.md"))}


def topic_of(first: Question, second: Question, texts: Mapping[str, str], stop: frozenset[str]) -> str | None:
    """The longest shared phrase that names something specific to the questions' article."""
    gold = gold_article(second.doc_id, texts)
    if gold is None:
        return None
    limit = max(1, int(MAX_TOPIC_SHARE * len(texts)))
    for phrase in shared_phrases(first.question, second.question, stop):
        pattern = re.compile(rf"(?<![\w-]){_pattern(phrase)}(?![\w-])")
        if not pattern.search(texts[gold]):
            continue
        if sum(1 for t in texts.values() if pattern.search(t)) <= limit:
            return phrase
    return None


def _turn(kind: str, n: int, question: str, history: Sequence[Question], like: Question) -> Turn:
    return Turn(Question(f"gen-{kind}-{n:04d}", question, tuple(h.question for h in history), like.evidence,
                         like.answerable, like.doc_id), kind, tuple(h.id for h in history) + (like.id,))


def generate(questions: Sequence[Question], texts: Mapping[str, str], *, seed: int = SEED) -> list[Turn]:
    """Every turn the rule gives for `questions` over the articles' `texts` (article id -> text)."""
    stop, rng = _stop(), random.Random(seed)
    by_article: dict[str, list[Question]] = {}
    for q in questions:
        if q.answerable and q.doc_id is not None:
            by_article.setdefault(q.doc_id, []).append(q)
    turns: list[Turn] = []
    for doc, qs in by_article.items():
        turns.extend(_article_turns(qs, texts, stop, len(turns)))
    turns.extend(_switches(by_article, rng, len(turns)))
    answerable = [q for qs in by_article.values() for q in qs]
    for q in (q for q in questions if not q.answerable):
        turns.append(_turn("offcorpus", len(turns), q.question, [rng.choice(answerable)], q))
    return turns


def _article_turns(qs: Sequence[Question], texts, stop, start: int) -> Iterable[Turn]:
    n = start
    for first, second in zip(qs, qs[1:]):
        phrase = topic_of(first, second, texts, stop)
        if phrase is None:
            continue
        pronoun = pronoun_form(second.question, phrase, stop)
        if pronoun:
            yield _turn("pronoun", n, pronoun, [first], second)
            n += 1
            third = next((q for q in qs if q not in (first, second)
                          and re.search(rf"(?i)(?<![\w-]){_pattern(phrase)}(?![\w-])", q.question)), None)
            third_form = third and pronoun_form(third.question, phrase, stop)
            if third_form:
                yield Turn(Question(f"gen-triple-{n:04d}", third_form, (first.question, pronoun), third.evidence,
                                    True, third.doc_id), "triple", (first.id, second.id, third.id))
                n += 1
        dropped = dropped_form(second.question, phrase, stop)
        if dropped:
            yield _turn("dropped", n, dropped, [first], second)
            n += 1


def _switches(by_article: Mapping[str, list[Question]], rng: random.Random, start: int) -> list[Turn]:
    """One turn per article: its first question after a question of another article on the same side."""
    docs = sorted(by_article)
    out = []
    for n, doc in enumerate(docs):
        turn = by_article[doc][0]
        others = [d for d in docs if d != doc and part_of(by_article[d][0]) == part_of(turn)]
        if others:
            out.append(_turn("switch", start + n, turn.question, [rng.choice(by_article[rng.choice(others)])], turn))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.conversations", description=__doc__.split("\n\n")[0])
    parser.add_argument("--questions", type=Path, required=True, help="a question set with doc_id (JSONL)")
    parser.add_argument("--corpus", type=Path, required=True, help="the corpus folder the questions are about")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    try:
        questions = load_questions(args.questions)
        texts = _article_texts(args.corpus)
    except (ValueError, OSError) as exc:
        print(f"eval.conversations failed: {exc}", file=sys.stderr)
        return 1
    if not texts:
        print(f"eval.conversations failed: no articles in {args.corpus / 'articles'}", file=sys.stderr)
        return 1
    turns = generate(questions, texts, seed=args.seed)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("".join(json.dumps(t.record()) + "\n" for t in turns), encoding="utf-8")
    kinds: dict[str, int] = {}
    for t in turns:
        kinds[t.kind] = kinds.get(t.kind, 0) + 1
    print(f"{len(turns)} turns written to {args.out}: " + ", ".join(f"{k} {v}" for k, v in sorted(kinds.items())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
