"""Where the articles give figures for what a question asks: side by side when they differ, "N
articles agree" when they match.

A question asks for a figure when it asks how long, how many, how much, or for a period, rate,
ratio, percentage, number, dose, size … ("What is the incubation period of MERS-CoV?"). What it
measures is its first run of content words after the question words, without qualifiers such as
"mean" or "estimated" ("incubation period"); the kind of figure it wants (`DIMENSIONS`) follows
from its words: a duration, a percentage, a dose, a sequence length, or a plain number.

A sentence gives a figure for it when it answers the question (`answers`: a word of the measure by
stem; enough of the question's words with its context; every name the question names, and no
rival of one in the sentence itself) and an amount of the wanted kind (`qa.index.amounts`, taken
from each sentence when the index is built) stands just after the measure's words — or, failing
that, just before; of several, the one just after the mean or median the question asks for
("16 days with a mean of 5-6 days"). Over the candidate windows of the answer, best first, each
article's first such sentence is its figure; one a hundredfold from the others' median measures
something else. Two or more articles' figures are then compared in one unit (`verdict`): when
any two do not overlap the articles give different figures, and all are shown; when all overlap
and each is a value or a narrow range, they agree.
The sentence's setting is the place or group it names ("in South Korea", "among children").

Pure: the question, sentences and a stemmer in; `Finding`s out. `qa.choose` supplies the
candidate sentences, `qa.cite` turns the chosen ones into checked quotes.
"""

from __future__ import annotations

import math
import re
import statistics
from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType
from typing import AbstractSet, Callable, Iterable, Mapping, Sequence

from .index.amounts import Amount

ASKS_FIGURE = re.compile(
    r"\b(how (long|many|much|often|old|large|big|far|common|frequent)|percentages?|percent|proportions?|fractions?|rates?|"
    r"ratios?|period|times?|intervals?|duration|numbers?|doses?|dosages?|incidence|prevalence|mortality|"
    r"lethality|r0|size|length|half-life|age)\b", re.I)
# (what the question says, the base units its figure may have); the first that matches decides
DIMENSIONS = (
    (re.compile(r"\b(reproduct\w*|r0|r 0|r_0)\b", re.I), frozenset({""})),
    (re.compile(r"\bgenomes?\b.*\b(size|length|long)\b|\b(size|length)\b.*\bgenomes?\b", re.I), frozenset({"bases"})),
    (re.compile(r"\b(doses?|dosages?|dosing|how much)\b", re.I), frozenset({"mg", "mg/kg", "ml"})),
    (re.compile(r"\b(percentages?|percent|proportions?|fractions?|rates?|ratios?|mortality|lethality|prevalence|"
                r"incidence|how common|how frequent)\b", re.I), frozenset({"%"})),
    (re.compile(r"\b(how long|how old|period|times?|intervals?|duration|half-life|age|days|weeks|months|years|"
                r"hours)\b", re.I), frozenset({"days"})),
    (re.compile(r"\b(how many|numbers?)\b", re.I), frozenset({""})),
)
# the question's own words before what it measures
SCAFFOLD = re.compile(
    r"^\s*(?:and\s+|so\s+)?(?:approximately\s+|about\s+|roughly\s+|on average,?\s+)?(?:what|which|how\s+(?:long|many|much|often|old|large|big|far|common|frequent))\b"
    r"(?:\s+(?:percentage|percent|proportion|fraction|number|share|amount)\s+of)?"
    r"(?:\s+(?:is|are|was|were|does|do|did|has|have|had|can|could|will|would|should))?", re.I)
DEFINITION = re.compile(r"\s*(a|an)\b", re.I)  # "What is an incubation period?" asks what it is, not how long
# a question about one study's own figures ("What was the response rate for the study?"): no articles to compare
ONE_STUDY = re.compile(r"\b(the|this|that) (study|survey|trial|cohort|sample|report|paper|article|analysis|model)\b|"
                       r"\b(the|these|those) (participants|respondents|"  # its people: "the people surveyed"
                       r"(people|patients|subjects|individuals|children|adults|women|men|cases|samples|animals|mice) "
                       r"(surveyed|studied|enrolled|included|sampled|recruited|interviewed|tested|examined|analy[sz]ed))\b", re.I)
# a question that asks which thing has the most of something ("What age group had the most
# infections?"), or whose measure is a whole distribution ("the age profile of mortality"), asks for no one figure
WHICH_MOST = re.compile(r"\b(had|has|have|showed|shows|with|gives?|gave) the (most|highest|lowest|least|largest|"
                        r"smallest|greatest|fewest)\b", re.I)
SPREAD = frozenset("profile profiles distribution distributions pattern patterns trend trends curve curves".split())
# words that end a measure though BM25 keeps them ("mortality among …", "rate versus …")
ENDS = frozenset("among within versus vs like per across via without amongst inside outside following".split())
QUALIFIERS = frozenset("estimated estimate assumed presumed mean median average overall typical usual approximate approximately "
                       "roughly about reported basic current known expected observed actual descriptive statistics "
                       "many much long often percentage percent proportion fraction share amount total".split())
WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9\-]*")
# the statistic a question asks for, and the words a sentence gives it by ("a mean of 5-6 days")
STATISTICS = {"mean": ("mean", "average"), "average": ("mean", "average"), "median": ("median",)}
JOINS = frozenset({"and", "or", "versus", "vs"})
NAME = re.compile(r"\d|[A-Za-z][A-Z]")  # a word with a digit or a capital after its first letter: "H7N9", "MERS", "1918"
HYPHENATED = re.compile(r"\b[A-Za-z0-9]+(?:-[A-Za-z0-9]+)+\b")
SYMBOL = re.compile(r"\b([A-Z]) (\d)\b")  # "R 0": a subscript that lost its place in the text ("R0")
SETTING = re.compile(r"\b(?:in|among|from|across)\s+(?:the\s+)?(?P<where>(?:[A-Z][\w\-]*(?:\s+(?:of\s+)?[A-Z][\w\-]*){0,3})|"
                     r"(?:(?:hospitali[sz]ed|critically ill|severe|elderly|older|young|pregnant|infected|confirmed)\s+)?"
                     r"(?:patients|children|adults|infants|neonates|women|men|cases|health[- ]?care workers|"
                     r"travell?ers|residents|households|contacts))\b")
AFTER = 140  # how far after the measure (characters) its figure may stand ...
BEFORE = 60  # ... or before it, when nothing stands after
WIDE = 3.0  # a range whose high end is over this many times its low one confirms no agreement
PLAIN = 30  # a plain number stands this close after a symbol ("R0 of 2.2"), or names the measure next ("858 deaths")


@dataclass(frozen=True)
class Asked:
    """What a question asks a figure of: its measure's words and stems, and the units it may have."""
    measure: str
    stems: tuple[str, ...]
    units: frozenset[str] | None  # None: any kind
    subject: tuple[str, ...] = ()  # stems of the words after the measure ("MERS-CoV", "Saudi Arabia")
    weights: tuple[tuple[str, float], ...] = ()  # each stem's weight (an IDF: 0 for a word no article uses)
    names: tuple[str, ...] = ()  # stems of the names among its words ("MERS-CoV", "H7N9", "Wuhan")
    symbol: bool = False  # it asks for a number named by its symbol ("R0"), which stands right after it
    kin: tuple[frozenset[str], ...] = ()  # the parts of each hyphenated name it names ("MERS-CoV": mers, cov)
    statistic: tuple[str, ...] = ()  # stems of the words that give the statistic it asks for ("mean", "average")

    @property
    def counts_only(self) -> bool:
        """It asks for a plain count ("How many deaths …?"), whose figures may agree but never differ."""
        return self.units == frozenset({""}) and not self.symbol


@dataclass(frozen=True)
class FigureRule:
    """When a candidate sentence answers a figure question (chosen on the labeled set's tuning part)."""
    cover: float = 0.5  # share of the question's content words (IDF-weighted) in the sentence or its context
    in_sentence: float = 0.2  # ... of which in the sentence itself
    # Plain counts ("How many cases …?"): counts of other things stand in almost every sentence, so
    # counts that differ prove nothing and are never said to (a "different" precision of 0.71 with
    # them, 0.85 without); counts that coincide are said to agree when this is on (tuning part:
    # agree recall 0.083 -> 0.167 at precision 1.0, but questions whose step costs over 10% of the
    # answer the first time they are asked 13 -> 20 of the 710 COVID-QA dev questions)
    counts: bool = False
    # A figure this many times above or below the median of the articles' figures measures something
    # else (set from first principles, not tuned: on the labeled set it removes 4 wrong rows and no
    # right one; one flag labeled right stood only on such a row, and goes with it)
    apart: float = 100.0


@dataclass(frozen=True)
class Figure:
    """One article's figure: the sentence (its row) and the amount in it."""
    row: int
    article_id: str
    amount: Amount
    setting: str | None


@dataclass(frozen=True)
class Finding:
    """Figures of one measure from two or more articles (`verdict` says how they compare)."""
    measure: str
    figures: tuple[Figure, ...]


def verdict(found: Sequence[Amount]) -> str | None:
    """ "different" when two of the amounts do not overlap, "agree" when all overlap and each is a
    value or a narrow range ("up to 14 days" or "0 to 10 days" overlaps almost anything, so it
    confirms nothing: an open end, or a high end over `WIDE` times the low one), else None.

    >>> from qa.index.amounts import amounts
    >>> pairs = [("5.2 days", "9 days"), ("12%", "about 12%"), ("<0.1%", "0.005%"), ("0 to 10 days", "5 days")]
    >>> [verdict(amounts(a) + amounts(b)) for a, b in pairs]
    ['different', 'agree', None, None]
    """
    if max(a.low for a in found) > min(a.high for a in found):
        return "different"
    return None if any(a.bounded or a.high > WIDE * a.low for a in found) else "agree"


def asked(question: str, stop: frozenset[str], stem: Callable[[str], str],
          weight: Callable[[str], float] = lambda word: 1.0) -> Asked | None:
    """The measure a question asks a figure of, or None when it asks for none.

    >>> stem = lambda w: w.lower().rstrip("s")
    >>> a = asked("What is the mean incubation period of MERS-CoV?", frozenset({"is", "of", "the"}), stem)
    >>> a.measure, a.stems, sorted(a.units)
    ('incubation period', ('incubation', 'period'), ['days'])
    >>> asked("What causes foot drop?", frozenset(), stem) is None
    True
    >>> [asked(q, frozenset({"is", "of", "the", "at", "for"}), stem) for q in ("What is an incubation period?",
    ...  "What is the leading cause of death at age 5?", "What was the response rate for the study?",
    ...  "What was the age range for the people surveyed?", "What is the mortality of SARS and MERS?")]
    [None, None, None, None, None]
    """
    m = SCAFFOLD.match(question)
    rest = question[m.end():] if m else question
    if DEFINITION.match(rest) or ONE_STUDY.search(question) or WHICH_MOST.search(question) or _two_names(rest):
        return None
    words, subject = _split(rest, stop)
    measured = " ".join([question[:m.end()] if m else "", *words])  # the question's words up to its measure's end
    if not words or not ASKS_FIGURE.search(measured) or any(w.lower() in SPREAD for w in words):
        return None  # the figure word must be the measure's ("What is the leading cause of death at age 5?" asks none)
    units = _kind(measured, question)
    stems = tuple(dict.fromkeys(stem(w) for w in words))
    weights = {}
    for word in words + subject:
        weights[stem(word)] = max(weights.get(stem(word), 0.0), weight(word))
    if any(weight(w) == 0 and len(w) > 1 and w.lower() not in stop for w in words + subject):
        return None  # a word no article uses: no sentence can be about what it names
    names = tuple(dict.fromkeys(stem(w) for w in subject if NAME.search(w) and weight(w) > 0))
    return Asked(" ".join(words), stems, units, tuple(s for s in dict.fromkeys(stem(w) for w in subject) if s not in stems),
                 tuple(weights.items()), names, bool(DIMENSIONS[0][0].search(question)), _kin(" ".join(subject)),
                 tuple(stem(w) for w in next((STATISTICS[w] for w in WORD.findall(question.lower()) if w in STATISTICS), ())))


def _two_names(text: str) -> bool:
    """Whether `text` joins two names ("SARS and MERS", "H1N1 or H7N9"): it asks a figure of each,
    and one article's figure of either is no rival of another's. Years ("2002 and 2003") do not count.

    >>> [_two_names(t) for t in ("rate of SARS and MERS?", "rate of SARS-CoV, MERS-CoV?", "between 2002 and July 2003?")]
    [True, True, False]
    """
    words = WORD.findall(text.replace(",", " and "))
    named = [bool(NAME.search(w)) and not w.isdigit() for w in words]
    return any(named[i - 1] and named[i + 1] and words[i].lower() in JOINS for i in range(1, len(words) - 1))


def _kind(measured: str, question: str) -> frozenset[str] | None:
    """The units a figure may have: as what is measured says ("the age profile of mortality" asks
    for ages, not percentages), else as the rest of the question does; None: any."""
    for text in (measured, question):
        units = next((units for pattern, units in DIMENSIONS if pattern.search(text)), None)
        if units is not None:
            return units
    return None


def _split(rest: str, stop: frozenset[str]) -> tuple[list[str], list[str]]:
    """The words of what a question measures, and the content words after them (its subject)."""
    words, subject, measured = [], [], False
    for word in WORD.findall(rest):
        low = word.lower()
        if low in QUALIFIERS or (not words and low in stop):
            continue  # "the", "mean", "estimated" before the measure
        measured = measured or (bool(words) and (low in stop or low in ENDS))  # the measure ends at its first stop word
        if not measured:
            words.append(word)
        elif low not in stop:
            subject.append(word)
    return words, subject


def answers(want: Asked, places: Mapping[str, object], context: Callable[[], AbstractSet[str]],
            rule: FigureRule) -> bool:
    """Whether a sentence (its stems `places`; `context()`: its context's) answers the question: it
    holds a word of the measure, it or its context names every name the question names and holds
    `rule.cover` of the question's words by weight, the sentence itself `rule.in_sentence`."""
    weights = {s: w for s, w in want.weights if w > 0}  # a word no article uses cannot be asked of one
    total = sum(weights.values())
    inside = sum(w for s, w in weights.items() if s in places)
    if not total or inside < rule.in_sentence * total \
            or not any(s in places for s in want.stems):
        return False
    around = context() if any(s not in places for s in (*weights, *want.names)) else set()
    near = sum(w for s, w in weights.items() if s in places or s in around)
    return near >= rule.cover * total and all(s in places or s in around for s in want.names)


def figure_in(sentence: str, found: Sequence[Amount], want: Asked, stem: Callable[[str], str],
              context: Callable[[], Sequence[str]] = tuple, rule: FigureRule = FigureRule()
              ) -> tuple[Amount, str | None] | None:
    """The amount `sentence` gives for what `want` asks (one of `found`, its amounts), and the
    setting it names; None if it does not answer the question (`answers`: `context()` gives the
    article's title and the sentences before it) or holds no amount of the wanted kind near the
    measure's words."""
    if not any(want.units is None or a.unit in want.units for a in found):
        return None  # no amount of the wanted kind: the cheapest test first
    lowered = SYMBOL.sub(r"\1\2", sentence).lower().replace("-", "")  # as the stems are compared: "R 0" is R0, hyphens aside
    if not any(s[:4] in lowered for s in want.stems):
        return None  # no word of the measure: a stem's first letters are its word's (but for a few
        # Snowball rewrites, "dying": "die", whose sentences are missed)
    places = _places(sentence, stem)
    if not answers(want, places, lambda: frozenset().union(*(_stems(t, stem) for t in context())), rule) \
            or _rival(sentence, want):
        return None
    # a figure stands by the words of its measure (`answers` made sure one is here): just after
    # them, or just before; a one-word measure named again further on ("R0 … R0 for SARS was around
    # 3") may have its figure after any mention
    firsts = [places[s][0] for s in want.stems if s in places]
    first, last = min(a for a, _ in firsts), max(b for _, b in firsts)
    ends = [last, *(b for _, b in places[want.stems[0]][1:])] if len(want.stems) == 1 else [last]
    asked_for = set(want.stems + want.subject)
    fits = [a for a in found if (want.units is None or a.unit in want.units)
            and (a.unit or (want.symbol and any(0 <= a.start - end <= PLAIN for end in ends))
                 or _named_after(sentence, a, asked_for, stem))]
    near = [a for a in fits if any(end <= a.start <= end + AFTER for end in ends)] or \
        [a for a in fits if first - BEFORE <= a.end <= first][-1:]
    if not near:
        return None
    near = _of_statistic(near, want, places)
    if not near:
        return None
    # the sentence names the subject: its figure is the one nearest that name ("… 34% for MERS")
    named = [at for s in want.subject if s not in want.stems for at, _ in places.get(s, ())]
    amount = min(near, key=lambda a: min(abs(a.start - at) for at in named)) if named else near[0]
    setting = SETTING.search(sentence)
    return amount, setting.group(0) if setting else None


def _of_statistic(near: list[Amount], want: Asked, places: Mapping[str, tuple[tuple[int, int], ...]]) -> list[Amount]:
    """Of the amounts by the measure, those that can be the statistic asked for: the one the
    sentence gives it by ("an incubation period of 16 days with a mean of 5-6 days" gives 5-6 days
    for the mean); where it names none, no wide span or open bound ("2 to 14 days" is no mean)."""
    if not want.statistic:
        return near
    stated = [b for s in want.statistic for _, b in places.get(s, ())]
    return [a for a in near if any(0 <= a.start - b <= PLAIN for b in stated)] or \
        [a for a in near if not (a.bounded or a.high > WIDE * a.low)]


@lru_cache(maxsize=16384)  # the same candidate sentences come up question after question
def _places(sentence: str, stem: Callable[[str], str]) -> Mapping[str, tuple[tuple[int, int], ...]]:
    """Each word's stem in `sentence` and everywhere it stands ("R 0" read as "R0", offsets kept);
    read-only, as the cache hands the same one to every caller."""
    places: dict[str, tuple[tuple[int, int], ...]] = {}
    for m in WORD.finditer(SYMBOL.sub(r"\1\2 ", sentence)):
        word = stem(m.group(0))
        places[word] = (*places.get(word, ()), (m.start(), m.end()))
    return MappingProxyType(places)


@lru_cache(maxsize=16384)
def _stems(text: str, stem: Callable[[str], str]) -> frozenset[str]:
    """The stems of the words of `text` ("R 0" read as "R0")."""
    return frozenset(stem(w) for w in WORD.findall(SYMBOL.sub(r"\1\2", text)))


def _kin(text: str) -> tuple[frozenset[str], ...]:
    """The parts of each hyphenated name in `text` ("SARS-CoV-2": sars, cov, 2)."""
    return tuple(dict.fromkeys(frozenset(m.group(0).lower().split("-")) for m in HYPHENATED.finditer(text)
                               if NAME.search(m.group(0))))


def _rival(sentence: str, want: Asked) -> bool:
    """Whether `sentence` names a rival of a name the question names, and not that name itself: a
    name of the same family that is another member ("SARS-CoV" for "MERS-CoV": a part shared, and
    each with a part the other lacks). Its figure is the rival's, whatever its context names.

    >>> want = Asked("deaths", ("death",), None, kin=(frozenset({"mers", "cov"}),))
    >>> [_rival(s, want) for s in ("SARS-CoV killed 10%.", "MERS-CoV killed 35%, SARS-CoV 10%.", "SARS killed 10%.")]
    [True, False, False]
    """
    if not want.kin:
        return False
    own = _kin(sentence)
    named = any(k <= o for k in want.kin for o in own)  # "MERS-CoV-infected" names MERS-CoV
    return not named and any(k & o and k - o and o - k for k in want.kin for o in own)


def unhyphenated(stem: Callable[[str], str]) -> Callable[[str], str]:
    """How figures compare words: by `stem`, hyphens aside ("COVID19" is "COVID-19")."""
    return lambda word: stem(word).replace("-", "")


def _named_after(sentence: str, amount: Amount, asked_for: set[str], stem: Callable[[str], str], words: int = 2) -> bool:
    """Whether one of the few words after a plain number is a word of the question ("858 deaths")."""
    return any(stem(w) in asked_for for w in WORD.findall(sentence[amount.end:amount.end + 40])[:words])


def compare(want: Asked, figures: Iterable[Figure], most: int, apart: float = math.inf) -> Finding | None:
    """The first figure of each article (`figures` come best first), at most `most` articles, in
    the unit most of them use; a `Finding` when two or more articles give one."""
    first: dict[str, Figure] = {}
    for figure in figures:
        first.setdefault(figure.article_id, figure)
    found = list(first.values())
    if len(found) < 2:
        return None
    units = [f.amount.unit for f in found]
    unit = max(dict.fromkeys(units), key=units.count)  # the commonest; ties: the best-ranked article's
    found = _alike([f for f in found if f.amount.unit == unit], apart)[:most]
    if len(found) < 2:
        return None
    return Finding(want.measure, tuple(found))


def _alike(found: list[Figure], apart: float) -> list[Figure]:
    """The figures within `apart` times the median of the others' middles, either way: studies of
    one measure differ, but not a hundredfold; such a figure measures something else ("30-40 min"
    of a lab incubation among incubation periods of days). Of two figures that far apart, neither
    can be told to be the measure's, and both go."""
    if len(found) < 2 or apart == math.inf:
        return found
    middles = [(f.amount.low + f.amount.high) / 2 if f.amount.high < math.inf else f.amount.low for f in found]
    kept = []
    for k, (figure, middle) in enumerate(zip(found, middles)):
        median = statistics.median(middles[:k] + middles[k + 1:])
        # a zero ("no deaths", "0%") is a figure of the measure, however far it is from the rest
        if middle <= 0 or median <= 0 or median / apart <= middle <= median * apart:
            kept.append(figure)
    return kept


def wanted(question: str, stop: frozenset[str], stem: Callable[[str], str], weight: Callable[[str], float],
           rule: FigureRule = FigureRule()) -> Asked | None:
    """What `question` asks a figure of (`asked`), unless it asks for a plain count and `rule` compares none."""
    want = asked(question, stop, stem, weight)
    return None if want is None or (not rule.counts and want.counts_only) else want


def find(want: Asked, sentences: Iterable[tuple[int, str, str, Sequence[Amount], Callable[[], Sequence[str]]]], stem: Callable[[str], str],
         most: int = 6, rule: FigureRule = FigureRule()) -> Finding | None:
    """Over `sentences` (row, article id, text, its amounts, its context's texts), best first:
    the figures the articles give for what was asked, when two or more articles give one.
    `stem(word)`: the word's search stem, lower-cased."""
    figures = (Figure(row, aid, *given) for row, aid, text, found, context in sentences
               if (given := figure_in(text, found, want, stem, context, rule)) is not None)
    return compare(want, figures, most, rule.apart)
