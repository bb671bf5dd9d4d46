"""The answer engine: load once, then `ask(question, history)` from any number of threads.

One question goes: validate → read it against the history (a pronoun read as the previous
question's topic entity, carried topic words, "Why?" / "What else?" / "Evidence for that?") →
expand with the lexicon → encode the turn, its reading and the previous question in one model call
→ abstain when no sentence is near enough or the question names what no article uses → rank
sentence windows (BM25, best sentence cosine, term coverage, heading words, section openings; the
conversation's articles and sections favoured, `rank.py`, `sections.py`) → choose quotes within
the word budget (`quotes.py`) → verbatim gate → citations, gaps and the disclaimer, as an `Answer`
record (data only: `qa.present` renders it). `Answer.passages` (for the eval's recall@k and the
JSON) are the chunks of the ranked windows, in rank order: one ranking makes both.

`with_settings` gives a variant sharing the loaded model and index (the eval's ablations use it).
"""

from __future__ import annotations

import copy
import datetime
import re
import time
import unicodedata
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np

from .answer import Answer, Passage
from .cite import cite, list_places
from .disclaimer import describe_article, render_disclaimer
from .embed import Embedder
from .followup import FollowUpResolver, intent
from .errors import IndexCorruptError, ModelError
from .index import Article, Chunk, Store, load_store, resolve_build
from .index.layout import ENCODER, file_sha256, read_manifest
from .index.lexical import words
from .lexicon import Lexicon, parse_lexicon
from .abstain import AbstainRule, KnownStems, rare_unknown_words, should_abstain
from .caution import cautions
from .gaps import asked_for, missing_kinds, unmentioned
from .quotes import QuoteParams, select_windows
from .rank import Query, Ranking, RankWeights, top_candidates
from .retrieve import Retriever
from .sections import Sections
from .signposts import asks_about_the_text, is_signposting

MAX_QUESTION_CHARS = 1000
SUBJECT_OPENERS = ("what about", "how about", "and ", "or ", "what if")  # a turn that brings its own subject
ABSTAIN_MESSAGE = "The indexed articles do not answer this question, so no passage is quoted."


@dataclass(frozen=True)
class Settings:
    dense: bool = True
    bm25: bool = True
    lexicon: bool = True
    followup: bool = True
    candidates: int = 50  # windows taken from each side (BM25, nearest sentences) before ranking
    passages: int = 10  # ranked passages (the chunks of the best windows) returned with the answer
    max_history: int = 8  # earlier questions considered; older ones no longer shape the topic
    coverage_articles: int = 8  # articles an abstention lists by name
    # A follow-up keeps to the articles of the previous question's best windows: their windows score
    # this much more (README, "Follow-ups"; chosen on both corpora's conversation evals).
    context_bonus: float = 0.35
    # A turn that reads alone ("How long is the incubation period?") may still continue the topic:
    # the previous question's articles get this bonus (and no section bonus, no carried words),
    # which a clearly better window elsewhere (a new topic) still outscores.
    standalone_bonus: float = 0.5
    # A follow-up with words of its own ("Does blood type play a role?") is ranked by this blend of
    # the turn alone and the turn with the topic's words; the topic articles' bonus carries the rest.
    literal_weight: float = 0.7
    # Windows in the sections of the previous question's best windows: the topic within an article.
    section_bonus: float = 0.15
    context_windows: int = 2  # the previous question's top windows whose articles are the topic
    # A follow-up's pronoun is read as the previous question's topic entity (qa.entity): "What are
    # its symptoms?" after a question on Gaucher disease is searched as "What are Gaucher disease's
    # symptoms?" -- unless another noun phrase of that question weighs within `entity_margin` of it
    # (no one topic to stand for "it"; the topic's words are carried instead). Chosen on the
    # generated conversations' tuning parts.
    entity: bool = True
    entity_margin: float = 1.5
    # A short turn whose words the articles never use still continues the topic when they are among
    # the model vocabulary's most frequent words ("Where should we look?"); a rarer one ("What about
    # asthma?", rank 26180; "cancer" is 4456) is a new subject the articles do not cover.
    common_rank: int = 3500
    caution_years: int = 10  # a quote from an article whose latest date is older is marked (`qa.caution`)
    withheld_rank: int = 3  # a retracted article among this many best windows is named as withheld
    rank: RankWeights = field(default_factory=RankWeights)
    abstain: AbstainRule = field(default_factory=AbstainRule)  # README, "Abstention"
    quotes: QuoteParams = field(default_factory=QuoteParams)


@dataclass(frozen=True)
class Topic:
    """Where the conversation is: the articles and sections (numbered by the engine) of the
    previous question's best windows. Empty for a first question."""
    articles: tuple[str, ...] = ()
    sections: tuple[int, ...] = ()
    withheld: tuple[str, ...] = ()  # retracted articles the answer would have quoted (ids)

    def __bool__(self) -> bool:
        return bool(self.articles)


@dataclass(frozen=True)
class _Pending:
    """A validated question waiting for its query vectors."""
    question: str
    query: str  # the search as resolved (`Answer.query`)
    followup: bool
    texts: tuple[str, ...]  # the literal question's search text, then the resolved one's
    t0: float
    previous: str = ""  # search text of the previous question as read: its articles are the topic
    intent: str = ""  # "more", "why" or "evidence": taken from the previous answer (`qa.followup.intent`)
    points_back: bool = False  # "Is that permanent?": never a new topic, whatever its own words
    reading: str = ""  # the turn with its pronoun replaced by the topic entity: the first text (`Answer.reading`)
    after: str = ""  # the earlier question the turn was read with (`Answer.after`)


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2066-\u2069]")


def clean_question(text: str) -> str:
    """Control and invisible formatting characters become spaces; whitespace collapses."""
    text = unicodedata.normalize("NFC", text or "")
    return " ".join(_CONTROL.sub(" ", text).split())


class Engine:
    """Answers questions from one loaded index build with one loaded model. Immutable after
    loading; safe to call from many threads. Its public attributes and methods are the whole API
    that `qa.present`, `app.py` and `eval` use."""

    def __init__(self, store: Store, embedder: Embedder, settings: Settings = Settings(),
                 lexicon: Lexicon | None = None, *, pinned: str | None = None):
        self._store = store
        self._embedder = embedder
        self._pinned = pinned  # the query encoder runtime insisted on (`load(encoder=)`): kept across reloads
        self.settings = settings
        self.lexicon = lexicon if lexicon is not None else parse_lexicon(store.lexicon_text)
        self._retriever = Retriever(store, self.lexicon)
        self._resolver = FollowUpResolver()
        self._chunk_by_id = {c.id: c for c in store.chunks}
        self._list_places = list_places(store.chunks)
        self._chunk_row = {c.id: row for row, c in enumerate(store.chunks)}
        self._known = KnownStems(store.terms.sentence_stems())
        self._known.knows("warmup")  # build the one-deletion table now, not during a request
        self._lexicon_words = frozenset(w.lower() for group in self.lexicon.groups for t in group for w in words(t))
        self.disclaimer = render_disclaimer(store.disclaimer_template, store.articles.values())
        self.index_build = store.manifest.digest
        # id -> abstention line, for the articles that may be quoted (a retracted one covers nothing)
        self._coverage = {a.id: describe_article(a) for a in store.articles.values() if not a.retracted}
        self._sections = Sections(store, self._retriever)  # each window's article, section, heading, lead
        # window -> of a retracted article: never quoted, never the topic
        self._retracted = np.array([store.articles[a].retracted for a in self._sections.article], dtype=bool)
        self._signposts = frozenset(row for row, x in enumerate(store.sentences) if is_signposting(x.text))

    # -- what the index holds (read-only views for presentation and the eval) ----------------------

    @property
    def manifest(self):
        return self._store.manifest

    @property
    def articles(self) -> Mapping[str, Article]:
        return self._store.articles

    @property
    def chunks(self) -> tuple[Chunk, ...]:
        return self._store.chunks

    def section_chunks(self, article_id: str, section: tuple[str, ...]) -> tuple[Chunk, ...]:
        """The chunks of one section of an article, in article order."""
        return tuple(self._store.chunks[r] for r in self._store.section_chunks.get((article_id, section), ()))

    def article_sections(self, article_id: str) -> tuple[tuple[str, ...], ...]:
        """An article's section paths, in article order."""
        return self._store.article_sections.get(article_id, ())

    def tokenize(self, texts: Sequence[str]) -> list[list[str]]:
        """The index's own tokeniser (stemmed BM25 terms)."""
        return self._retriever.tokenize(texts)

    def search_text(self, question: str) -> str:
        """What is searched for `question`: the question and the lexicon's synonyms for its terms."""
        return self._retriever.search_text(question, lexicon=self.settings.lexicon)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """The model's normalised vectors for `texts` (the query side of every answer)."""
        return self._embedder.encode(texts)

    def with_settings(self, **changes) -> "Engine":
        """A variant with other settings, sharing this engine's model and index."""
        other = copy.copy(self)
        other.settings = replace(self.settings, **changes)
        return other

    @property
    def encoder(self) -> str:
        """The runtime that encodes questions: "onnx" or "torch"."""
        return self._embedder.runtime

    def with_encoder(self, runtime: str) -> "Engine":
        """The same index with questions encoded by another runtime (for comparing them: both give
        the same vectors); the ONNX model comes from the export cache."""
        if runtime == self.encoder:
            return self
        if runtime == "onnx":
            from .onnx_encoder import OnnxEmbedder, exported

            return Engine(self._store, OnnxEmbedder(exported()), self.settings)
        return Engine(self._store, Embedder(), self.settings)

    def reloaded(self, build_dir: Path) -> "Engine":
        """An engine over another build of the index, sharing this one's model and settings."""
        build = resolve_build(build_dir)
        manifest = read_manifest(build)
        embedder = embedder_for(build, manifest, self._pinned, current=self._embedder)
        store = load_store(build, model_sha256=embedder.sha256, dim=embedder.dim, verified=_checked(manifest))
        return Engine(store, embedder, self.settings, pinned=self._pinned)

    def coverage(self, nearest: Sequence[str] = ()) -> tuple[str, ...]:
        """What the indexed articles cover, for abstentions: each article's title and publisher, the
        `nearest` articles (ids, e.g. those of the sentences nearest the question) first, at most
        `Settings.coverage_articles` of them, then how many more there are. (Their section headings
        are not listed: a long list of headings reads as noise; the page offers questions instead.)"""
        limit = self.settings.coverage_articles
        order = list(dict.fromkeys([a for a in nearest if a in self._coverage] + list(self._coverage)))[:limit]
        lines = [self._coverage[a] for a in order]
        if len(self._coverage) > limit:
            more = len(self._coverage) - limit
            lines.append(f"… and {more:,} more article{'s' if more > 1 else ''}")
        return tuple(lines)

    # -- answering ---------------------------------------------------------------------------

    def ask(self, question: str, history: Sequence[str] = ()) -> Answer:
        """Answer `question`, reading it in the light of `history` (earlier questions, oldest first)."""
        return self.ask_batch([(question, history)])[0]

    def ask_batch(self, items: Sequence[tuple[str, Sequence[str]]]) -> list[Answer]:
        """Answer several (question, history) pairs, encoding all their queries in one model call:
        a batch costs the model far less than the same questions one by one."""
        t0 = time.perf_counter()
        pending = [self._prepare(q, h, t0) for q, h in items]
        texts = [t for p in pending if isinstance(p, _Pending) for t in p.texts + ((p.previous,) if p.previous else ())]
        vecs = self._embedder.encode(texts) if texts else None  # one model call for the whole batch
        answers, cursor = [], 0
        for p in pending:
            if isinstance(p, Answer):
                answers.append(p)
                continue
            n = len(p.texts) + bool(p.previous)
            answer = self._finish(p, vecs[cursor:cursor + n])
            # how the turn was read, as data the presentation words ("Read as")
            answers.append(replace(answer, reading=p.reading, after=p.after if answer.followup or answer.context else "",
                                   intent=p.intent))
            cursor += n
        return answers

    def _prepare(self, question: str, history: Sequence[str], t0: float) -> "_Pending | Answer":
        """Validate and read the question: an `Answer` for bad input, else what to search."""
        raw = question if isinstance(question, str) else ""
        q = clean_question(raw)
        if not q:
            return self._no_quotes(q, q, "invalid", "Please type a question about the indexed articles.", t0)
        if len(raw) > MAX_QUESTION_CHARS:
            return self._no_quotes(
                q[:200] + "…", "", "invalid",
                f"That question is {len(raw):,} characters long; the limit is {MAX_QUESTION_CHARS:,}. "
                "Please ask it in fewer words.", t0)
        history = history if isinstance(history, (list, tuple)) else ()
        recent = list(history)[max(len(history) - self.settings.max_history, 0):]  # 0 reads none
        hist = [clean_question(h)[:MAX_QUESTION_CHARS] for h in recent if isinstance(h, str)]
        hist = [h for h in hist if h]
        if not hist and intent(q):  # "Why?", "What else?", "Evidence for that?" with nothing before them
            return self._no_quotes(q, q, "invalid", f"“{q}” asks about an earlier answer, and this conversation has "
                                   "none yet. Please ask a full question about the indexed articles.", t0)
        resolution = (self._resolver.resolve(q, hist, self._reads_with_topic,
                                             self._entity_weight if self.settings.entity else None,
                                             entity_margin=self.settings.entity_margin)
                      if self.settings.followup else None)
        followup = bool(resolution and resolution.followup)
        # a pronoun read as the topic entity gives a question that reads alone: it stands for the turn
        queries = [resolution.reading or q if followup else q] + ([resolution.query] if followup else [])
        search = lambda t: self._retriever.search_text(t, lexicon=self.settings.lexicon)  # noqa: E731
        # every query is encoded, even without dense retrieval: its vector also scores sentences
        return _Pending(q, resolution.query if followup else q, followup, tuple(search(t) for t in queries), t0,
                        previous=search(resolution.previous) if resolution and resolution.previous else "",
                        intent=resolution.intent if followup else "", points_back=followup and resolution.points_back,
                        reading=resolution.reading if followup else "", after=resolution.after if resolution else "")

    def _finish(self, p: "_Pending", vecs: np.ndarray) -> Answer:
        q, followup, t0, s = p.question, p.followup, p.t0, self.settings
        tokens = self._retriever.tokenize(list(p.texts))  # once: BM25, coverage and the topic check share it
        topic, before, earlier = self._topic(p, vecs[len(p.texts):])
        vecs = vecs[:len(p.texts)]
        literal_cos, literal_rows = self._retriever.nearest_sentences(vecs[0], s.candidates)
        query_cos, near_rows = self._retriever.nearest_sentences(vecs[-1], s.candidates)
        literal_best = float(literal_cos[0]) if len(literal_cos) else -1.0
        best = max(literal_best, float(query_cos[0]) if len(query_cos) else -1.0)
        rare = self.rare_words(q)
        # a turn read with its topic put in matches the topic's sentences well whatever else it names:
        # a name of its own that the articles never use ("Can it be given with warfarin?") decides
        literal_best = -1.0 if p.reading and rare else literal_best
        if should_abstain(best, literal_best, rare, s.abstain) or \
                (followup and not p.points_back and self._new_unknown_topic(tokens[0])
                 and not self._only_common_words(q)):
            return replace(self._abstain(q, p.query, t0, (), followup, literal_rows), unknown=tuple(rare))
        # "What are its side effects?" of a device whose articles never mention side effects: quote
        # only the topic's articles, and say what they do not mention (others are about other things)
        unsaid = "" if p.intent else self._unmentioned(q)
        absent = self._unmentioned(q, topic.articles) if p.reading and topic and not (p.intent or unsaid) else ""
        if p.intent == "evidence" and before:  # the same quotes again: their references are the answer
            ranked, selections = earlier, before
        else:
            queries = [Query(tokens[-1], vecs[-1], near_rows)]
            if followup and not p.intent and s.literal_weight and len(p.texts) > 1:  # the turn's own words, besides the topic's
                queries = [Query(tokens[0], vecs[0], literal_rows, s.literal_weight),
                           Query(tokens[-1], vecs[-1], near_rows, 1.0 - s.literal_weight)]
            # section openings for a question of its own only: a follow-up's words ask within its topic
            # ("Is it better than a brace?" is not asking for the "Braces" section's summary)
            ranked, selections, topic = self._select(p, queries, topic, before, () if followup else tokens[0],
                                                     only=topic.articles if absent else ())
        passages = self._passages(ranked)
        query = self._reading(p, before)
        today, years = datetime.date.today(), s.caution_years
        quotes, sources = cite(selections, self._store.sentences, self._chunk_by_id, self._store.articles,
                               self._list_places, lambda article: cautions(article, today, years))
        withheld = tuple(self._store.articles[a].title for a in topic.withheld)
        if not quotes:  # every candidate failed the verbatim gate (or was retracted): say nothing rather than misquote
            return replace(self._abstain(q, query, t0, passages, followup, literal_rows), withheld=withheld)
        missing = (("references",) if not any(x.references for x in quotes) else ()) if p.intent == "evidence" \
            else missing_kinds(q, [x.text for x in quotes])
        context = tuple(self._store.articles[a].title for a in topic.articles)
        return Answer(q, query, "answered", None, quotes, sources, passages, self.disclaimer,
                      followup=followup, ms=(time.perf_counter() - t0) * 1000, index_build=self.index_build,
                      missing=missing, context=context, unmentioned=unsaid or absent,
                      unmentioned_by=context if absent else (), withheld=withheld)

    def _select(self, p: "_Pending", queries: list[Query], topic: "Topic",
                before: tuple, asked: Sequence[str], only: Sequence[str] = ()) -> tuple[np.ndarray, list, "Topic"]:
        """Rank windows for the queries and choose quotes: (ranked windows, selections, the topic as
        shown). "What else?" and "Why?" skip what the previous answer (`before`) quoted; "Why?"
        searches near the claim it quoted best, for the sentences around it that explain it. `asked`:
        the tokens whose sections' openings are favoured (`Ranking.rank`), none for a follow-up;
        `only`: the articles quotes may come from (all when empty)."""
        s = self.settings
        bonus = (s.context_bonus, s.section_bonus) if p.followup else (s.standalone_bonus, 0.0)
        if p.intent == "why" and before:
            claim = self._claim(before)
            vec = self._store.sentence_vectors[list(claim)].mean(axis=0)
            vec = (vec / max(float(np.linalg.norm(vec)), 1e-9)).astype(np.float32)
            tokens = self._retriever.tokenize([" ".join(self._store.sentences[r].text for r in claim)])[0]
            queries = [Query(tokens, vec, self._retriever.nearest_sentences(vec, s.candidates)[1])]
        ranking = self._ranking()
        plain, scores = ranking.rank(queries, asked)
        ranked, scores = ranking.lean(plain, scores, topic.articles, topic.sections, bonus)
        if not p.followup and topic:  # name the topic only where it decided the best window
            topic = topic if len(ranked) and ranked[0] != plain[0] else Topic()
        shown = {r for sel in before for r in sel.rows} if p.intent in ("more", "why") else set()
        if not asks_about_the_text(p.question):  # "In this article, we will explore …" answers nothing
            shown |= self._signposts
        withheld = tuple(dict.fromkeys(self._sections.article[w] for w in ranked[:s.withheld_rank] if self._retracted[w]))
        keep = [i for i, w in enumerate(ranked) if not shown.intersection(self._window_rows(int(w)))
                and (not only or self._sections.article[w] in only) and not self._retracted[w]]
        ranked, scores = ranked[keep], scores[keep]
        selections = select_windows(ranked, scores, self._store.windows, self._store.sentences,
                                    self._chunk_by_id, s.quotes)
        # a sentence that points back brings the one before it, which may be one already shown
        selections = [sel for sel in selections if not shown.intersection(sel.rows)]
        return ranked, selections, replace(topic, withheld=withheld)

    @staticmethod
    def _claim(before: Sequence) -> tuple[int, ...]:
        """The sentence rows of the previous answer's best-scored quote: what "Why?" asks about."""
        return max(before, key=lambda sel: sel.score).rows

    def _unmentioned(self, question: str, articles: Sequence[str] = ()) -> str:
        """What "What are the X …?" asks for, when no article uses any of its words or their lexicon
        synonyms ("red flags"): the quotes can only be the nearest passages (`gaps.unmentioned`).
        With `articles` (a follow-up's topic): when none of those articles uses them."""
        stems = lambda w: self._retriever.tokenize([self._retriever.search_text(w, lexicon=True)])[0]  # noqa: E731
        if not articles:
            return unmentioned(asked_for(question, stems), stems, lambda s: self._known.knows(s, fuzzy=False))
        vocab = self._store.window_bm25.vocab_dict
        used = np.unique(np.concatenate(self._retriever.window_terms(np.flatnonzero(np.isin(self._sections.article,
                                                                                             list(articles))))))
        # a section's heading names what it gives ("Outlook") though no sentence may use the word
        named = {t for stems in self._retriever.tokenize(
            [" ".join(path) for a in articles for path in self.article_sections(a)]
            + [self._store.articles[a].title for a in articles]) for t in stems}
        return unmentioned(asked_for(question, stems), stems,
                           lambda s: s in named or (s in vocab and vocab[s] in used))

    def _reading(self, p: "_Pending", before: Sequence) -> str:
        """How the turn was searched (`Answer.query`): the query, or for "Why?", "What else?"
        and "Evidence for that?" what was taken from the previous answer."""
        if not (p.intent and before):
            return p.query
        if p.intent == "why":
            claim = " ".join(self._store.sentences[r].text for r in self._claim(before)).split()
            return f"what explains “{' '.join(claim[:25])}{' …' if len(claim) > 25 else ''}”"
        if p.intent == "evidence":
            return f"the references behind the answer to “{p.query}”"
        return f"{p.query} (quotes not shown before)"

    def _topic(self, p: "_Pending", vecs: np.ndarray) -> tuple["Topic", tuple, np.ndarray]:
        """For a turn with a history: the articles and sections of the previous question's best
        windows, (for "What else?", "Why?", "Evidence for that?") the previous answer's quote
        selections, and its ranked windows. The history holds only questions, so the previous
        answer is recomputed (same ranking, no second model call: its vector came in the batch)."""
        s = self.settings
        if not p.previous or not len(vecs):
            return Topic(), (), np.zeros(0, dtype=np.int64)
        tokens = self._retriever.tokenize([p.previous])[0]
        _, near = self._retriever.nearest_sentences(vecs[0], s.candidates)
        ranked, scores = self._ranking().rank([Query(tokens, vecs[0], near)])  # by content: no section-lead bonus
        # a retracted article is no topic: the previous answer did not quote it (nor its runner-up instead)
        best = [int(w) for w in ranked[:s.context_windows] if not self._retracted[w]]
        ranked, scores = ranked[~self._retracted[ranked]], scores[~self._retracted[ranked]]
        topic = Topic(tuple(dict.fromkeys(self._sections.article[w] for w in best)),
                      tuple(dict.fromkeys(int(self._sections.section[w]) for w in best)))
        if not p.intent:
            return topic, (), ranked
        return topic, tuple(select_windows(ranked, scores, self._store.windows, self._store.sentences,
                                           self._chunk_by_id, s.quotes)), ranked

    def _entity_weight(self, previous: str):
        """How well each word of `previous` names what its answer is about: its IDF where the
        windows that best match `previous` by BM25 use it, a tenth of that elsewhere."""
        tokens = self._retriever.tokenize([self._retriever.search_text(previous, lexicon=self.settings.lexicon)])[0]
        scores = self._retriever.window_bm25(tokens)
        best = top_candidates(scores, self.settings.context_windows + 1)
        used = {int(t) for terms in self._retriever.window_terms(best) for t in terms}
        return lambda word: self._retriever.word_weight(word, used)

    def _window_rows(self, w: int) -> range:
        first, length = int(self._store.windows[w, 0]), int(self._store.windows[w, 1])
        return range(first, first + length)

    def rare_words(self, question: str) -> list[str]:
        """Words of `question` that the articles never use and that are rare in English (see abstain.py)."""
        return rare_unknown_words(question, lambda w: self._retriever.tokenize([w])[0], self._known,
                                  self._embedder.word_pieces, self._lexicon_words, self.settings.abstain.names,
                                  self._retriever.written)

    def _ranking(self) -> Ranking:
        s = self.settings
        return Ranking(self._retriever, self._sections, s.rank, s.candidates, s.quotes.window_sentences,
                       dense=s.dense, bm25=s.bm25)

    def _passages(self, ranked: np.ndarray) -> tuple[Passage, ...]:
        """The chunks of the best windows, in rank order, at most `Settings.passages` of them."""
        store = self._store
        rows = dict.fromkeys(self._chunk_row[store.sentences[int(store.windows[w, 0])].chunk_id] for w in ranked)
        top = list(rows)[: self.settings.passages]
        return tuple(self._passage(store.chunks[row], 1.0 / (1 + k)) for k, row in enumerate(top))

    def _only_common_words(self, question: str) -> bool:
        """A turn whose content words are all common English, and that does not open a new subject
        ("What about football?" names one, however common the word)."""
        if question.strip().lower().startswith(SUBJECT_OPENERS):
            return False
        own = [w for w in words(question) if self._retriever.tokenize([w])[0]]
        return bool(own) and all(self._common_english(w) for w in own)

    def _common_english(self, word: str) -> bool:
        """One of the most frequent words of English (by the model's vocabulary order, below
        `Settings.common_rank`): "look", "miss" -- a verb or a plain word, not a new subject."""
        return self._embedder.word_rank(word.lower()) < self.settings.common_rank

    def _reads_with_topic(self, word: str) -> bool:
        """Whether a short turn with `word` continues the conversation: the articles use the word,
        or it is too common to name a subject of its own ("Where should we look?")."""
        return self._retriever.known_word(word) or self._common_english(word)

    def _new_unknown_topic(self, literal_stems: Sequence[str]) -> bool:
        """A follow-up none of whose own words (lexicon included) the articles use ("What about
        migraine?") asks about something new that they do not cover: the carried topic must not
        answer for it."""
        return bool(literal_stems) and self._retriever.vocabulary.share(literal_stems) == 0.0

    def error_answer(self, question: str, message: str) -> Answer:
        """An answer for a failure outside the engine's control: the message, and the disclaimer."""
        return self._no_quotes(clean_question(question if isinstance(question, str) else "")[:200], "", "error",
                               message, time.perf_counter())

    def _abstain(self, question: str, query: str, t0: float, passages: tuple[Passage, ...], followup: bool,
                 near: Sequence[int] = ()) -> Answer:
        """No quote: the message, and the articles nearest the question (`near`: sentence rows)."""
        nearest = tuple(dict.fromkeys(a for a in (self._store.sentences[int(r)].article_id for r in near)
                                      if not self._store.articles[a].retracted))
        return replace(self._no_quotes(question, query, "abstained", ABSTAIN_MESSAGE, t0,
                                       passages=passages, followup=followup), coverage=self.coverage(nearest),
                       nearest=nearest[:self.settings.coverage_articles])

    def _no_quotes(self, question: str, query: str, status: str, message: str, t0: float, *,
                   passages: tuple[Passage, ...] = (), followup: bool = False) -> Answer:
        return Answer(question, query, status, message, (), (), passages, self.disclaimer,
                      followup=followup, ms=(time.perf_counter() - t0) * 1000, index_build=self.index_build)

    def _passage(self, chunk: Chunk, score: float) -> Passage:
        article = self._store.articles[chunk.article_id]
        return Passage(chunk.id, chunk.text, chunk.lead_in, chunk.article_id, article.title, chunk.section, score)


def load(index_dir: str | Path = "index", *, corpus_dir: str | Path | None = None,
         settings: Settings = Settings(), encoder: str | None = None) -> Engine:
    """Load the model and the index once. With `corpus_dir`, refuse an index older than the corpus.
    The questions are encoded by the runtime the index was built for; `encoder` ("onnx", "torch")
    insists on one, and an index built for the other is refused with the fix."""
    build = resolve_build(Path(index_dir))
    manifest = read_manifest(build)
    embedder = embedder_for(build, manifest, encoder)
    store = load_store(build, model_sha256=embedder.sha256, dim=embedder.dim, verified=_checked(manifest),
                       corpus_dir=Path(corpus_dir) if corpus_dir is not None else None)
    return Engine(store, embedder, settings, pinned=encoder)


def _checked(manifest) -> tuple[str, ...]:
    """The artifacts `embedder_for` has verified (or holds verified in memory): not hashed again."""
    return (ENCODER,) if manifest.encoder == "onnx" else ()


def embedder_for(build_dir: Path, manifest, encoder: str | None = None, current=None):
    """The query encoder for a build: `current` when it is the runtime (and ONNX file) the build
    was made with, else a new one of that runtime."""
    if encoder is not None and encoder != manifest.encoder:
        raise ModelError(f"The index at {build_dir} was built for the {manifest.encoder} encoder, not {encoder}. "
                         f"Start without `--encoder {encoder}`, or rebuild the index for it: "
                         f"`python -m ingest --force --encoder {encoder}`.")
    if manifest.encoder == "onnx":
        onnx, sha256 = build_dir / ENCODER, manifest.artifacts.get(ENCODER)
        if not onnx.is_file() or sha256 is None:
            raise IndexCorruptError(str(onnx), "the ONNX encoder is missing")
        if current is not None and getattr(current, "onnx_sha256", None) == sha256:
            return current  # a rebuild links the same export: keep the loaded session
        if file_sha256(onnx) != sha256:  # before onnxruntime parses it
            raise IndexCorruptError(str(onnx), "its checksum does not match the manifest")
        from .onnx_encoder import OnnxEmbedder

        return OnnxEmbedder(onnx, onnx_sha256=sha256)
    return current if current is not None and getattr(current, "runtime", "torch") == "torch" else Embedder()
