"""Which words of a question the articles use: the checks behind abstaining on what no article
names ("What about asthma?"), on asking for what the articles never mention ("What are the red
flags?"), and on reading a short turn as the conversation's topic ("Where should we look?").

Built once per loaded build (the stems' one-deletion table included); every check is a read.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

import numpy as np

from .abstain import KnownStems, rare_unknown_words
from .gaps import asked_for, unmentioned
from .index import Store
from .index.lexical import words
from .retrieve import Retriever
from .sections import Sections

if TYPE_CHECKING:  # reading.py reads turns with these checks
    from .reading import Turn

SUBJECT_OPENERS = ("what about", "how about", "and ", "or ", "what if")  # a turn that brings its own subject


class ArticleWords:
    def __init__(self, store: Store, retriever: Retriever, sections: Sections, embedder):
        self._store = store
        self._retriever = retriever
        self._sections = sections
        self._embedder = embedder  # word pieces and the vocabulary's frequency order
        self._known = KnownStems(store.terms.sentence_stems())
        self._lexicon_words = frozenset(w.lower() for group in retriever.lexicon.groups for t in group for w in words(t))

    def rare(self, question: str, names: float) -> list[str]:
        """Words of `question` that the articles never use and that are rare in English (see
        abstain.py; `names`: `AbstainRule.names`)."""
        return rare_unknown_words(question, lambda w: self._retriever.tokenize([w])[0], self._known,
                                  self._embedder.word_pieces, self._lexicon_words, names, self._retriever.written)

    def unmentioned(self, question: str, articles: Sequence[str] = ()) -> str:
        """What "What are the X …?" asks for, when no article uses any of its words or their lexicon
        synonyms ("red flags"): the quotes can only be the nearest passages (`gaps.unmentioned`).
        With `articles` (a follow-up's topic): when none of those articles uses them."""
        if not articles:
            return unmentioned(asked_for(question, self._stems), self._stems,
                               lambda s: self._known.knows(s, fuzzy=False))
        vocab = self._store.window_bm25.vocab_dict
        in_articles = np.flatnonzero(np.isin(self._sections.article, list(articles)))
        used = np.unique(np.concatenate(self._retriever.window_terms(in_articles)))
        # a section's heading names what it gives ("Outlook") though no sentence may use the word
        headings = [" ".join(path) for a in articles for path in self._store.article_sections.get(a, ())]
        named = {t for stems in self._retriever.tokenize(headings + [self._store.articles[a].title for a in articles])
                 for t in stems}
        return unmentioned(asked_for(question, self._stems), self._stems,
                           lambda s: s in named or (s in vocab and vocab[s] in used))

    def unsaid(self, turn: "Turn", topic: Sequence[str]) -> tuple[str, str]:
        """What the turn asks for that (first) no article mentions, or (second, for a turn read
        with its topic put in) none of the `topic` articles mentions: "What are its side effects?"
        of a device whose articles never mention side effects is quoted from the topic's articles
        only, saying what they do not mention (others are about other things)."""
        if turn.intent:  # "Why?", "What else?": nothing asked for by name
            return "", ""
        unsaid = self.unmentioned(turn.question)
        return unsaid, self.unmentioned(turn.question, topic) if turn.reading and topic and not unsaid else ""

    def _stems(self, word: str) -> list[str]:
        return self._retriever.tokenize([self._retriever.search_text(word, lexicon=True)])[0]

    def only_common(self, question: str, common_rank: int) -> bool:
        """A turn whose content words are all common English, and that does not open a new subject
        ("What about football?" names one, however common the word)."""
        if question.strip().lower().startswith(SUBJECT_OPENERS):
            return False
        own = [w for w in words(question) if self._retriever.tokenize([w])[0]]
        return bool(own) and all(self.common_english(w, common_rank) for w in own)

    def common_english(self, word: str, common_rank: int) -> bool:
        """One of the most frequent words of English (by the model's vocabulary order, below
        `common_rank`): "look", "miss" -- a verb or a plain word, not a new subject."""
        return self._embedder.word_rank(word.lower()) < common_rank

    def reads_with_topic(self, word: str, common_rank: int) -> bool:
        """Whether a short turn with `word` continues the conversation: the articles use the word,
        or it is too common to name a subject of its own ("Where should we look?")."""
        return self._retriever.known_word(word) or self.common_english(word, common_rank)

    def none_used(self, stems: Sequence[str]) -> bool:
        """A follow-up none of whose own words (lexicon included) the articles use ("What about
        migraine?") asks about something new that they do not cover: the carried topic must not
        answer for it."""
        return bool(stems) and self._retriever.vocabulary.share(stems) == 0.0
