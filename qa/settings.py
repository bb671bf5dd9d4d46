"""Every tunable of the engine, in one frozen record (`Engine.with_settings` makes variants).

Each knob says what it does and where it was chosen; the README's "How an answer is made" and
"Follow-ups" sections explain the steps they tune.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .abstain import AbstainRule
from .figures import FigureRule
from .quotes import QuoteParams
from .rank import RankWeights


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
    # A question asking for a figure (`qa.figures`): the sentences of this many best windows are
    # searched for each article's figure, and at most `figure_articles` articles are compared.
    figures: bool = True
    figure_windows: int = 80
    figure_articles: int = 6
    figure_rule: FigureRule = field(default_factory=FigureRule)
    withheld_rank: int = 3  # a retracted article among this many best windows is named as withheld
    rank: RankWeights = field(default_factory=RankWeights)
    abstain: AbstainRule = field(default_factory=AbstainRule)  # README, "Abstention"
    quotes: QuoteParams = field(default_factory=QuoteParams)
