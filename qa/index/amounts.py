"""Numbers with their units in a sentence, as intervals in one unit per kind of quantity.

"5.2 days", "2–14 days", "between 2 and 14 days", "up to 14 days", "3.4%", "30 kb", "R0 of 2.2":
each is an `Amount` whose `low`..`high` is in the base unit of its kind (durations in days,
percentages in %, masses in mg, volumes in ml, sequence lengths in bases), so that "2 weeks" and
"14 days" are the same figure. A bound ("up to", "less than", "at least") is an open interval; a
"±" spread is read as the point it follows. What is not a figure of the thing measured is left
out: a confidence interval ("95% CI 4.1–7.0"), a p value or a sample size ("n = 120"), a number
inside a name ("COVID-19", "H1N1", "nsp3"), a reference marker ("[12]"), a year.

Pure: a sentence in, its amounts (with their character offsets in it) out. The index writer
records each sentence's amounts at build time (`Sentence.amounts`), so answers never parse them:
a change to what is read here is a change of the pipeline (`layout.PIPELINE_VERSION`).

>>> [(a.text, a.low, a.high, a.unit) for a in amounts("The mean incubation period was 5.2 days (95% CI, 4.1 to 7.0).")]
[('5.2 days', 5.2, 5.2, 'days')]
>>> [(a.text, a.low, a.high, a.unit) for a in amounts("It ranged from 2 to 14 days; up to 3 weeks in 2019.")]
[('from 2 to 14 days', 2.0, 14.0, 'days'), ('up to 3 weeks', 0.0, 21.0, 'days')]
>>> [(a.text, a.unit) for a in amounts("COVID-19 killed 3.4% of H1N1 cases (n = 120), R0 2.2 [12].")]
[('3.4%', '%'), ('2.2', '')]
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Iterator

# unit as written (lower case) -> (base unit, factor to it); longer spellings first in the pattern
UNITS = {
    **dict.fromkeys(("minute", "minutes", "min", "mins"), ("days", 1 / 1440)),
    **dict.fromkeys(("hour", "hours", "h", "hr", "hrs"), ("days", 1 / 24)),
    **dict.fromkeys(("day", "days", "d"), ("days", 1.0)),
    **dict.fromkeys(("week", "weeks", "wk", "wks"), ("days", 7.0)),
    **dict.fromkeys(("month", "months", "mo"), ("days", 30.44)),
    **dict.fromkeys(("year", "years", "yr", "yrs"), ("days", 365.25)),
    **dict.fromkeys(("%", "percent", "per cent", "percentage points"), ("%", 1.0)),
    **dict.fromkeys(("mg/kg",), ("mg/kg", 1.0)),
    **dict.fromkeys(("mg", "milligrams", "milligram"), ("mg", 1.0)),
    **dict.fromkeys(("g", "grams", "gram"), ("mg", 1000.0)),
    **dict.fromkeys(("µg", "μg", "mcg", "ug", "micrograms"), ("mg", 0.001)),
    **dict.fromkeys(("ml", "millilitres", "milliliters"), ("ml", 1.0)),
    **dict.fromkeys(("l", "litres", "liters"), ("ml", 1000.0)),
    **dict.fromkeys(("kb", "kilobases", "kbp"), ("bases", 1000.0)),
    **dict.fromkeys(("mb", "megabases"), ("bases", 1e6)),
    **dict.fromkeys(("bp", "base pairs", "nt", "nucleotides", "bases"), ("bases", 1.0)),
    **dict.fromkeys(("°c",), ("°C", 1.0)),
}
_SCALE = "thousand|millions|million|billion"


def _trie(words) -> str:
    """An alternation of `words` as a prefix tree ("d(?:ay|ays)…"): the regex engine tries a
    letter once, not once a word, which makes a sentence's amounts several times faster to find."""
    tree: dict = {}
    for word in words:
        node = tree
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def walk(node: dict) -> str:
        ends = "" in node
        branches = [re.escape(ch) + walk(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if ends else body

    return "(?:" + walk(tree) + ")"


_UNIT = _trie(UNITS)
_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d{1,3}(?: \d{3})+(?![\d.,])|\d+(?:[.·]\d+)?"  # "48·0": a decimal
# a number not glued to a name ("COVID-19", "nsp3", "H1N1", "2a"), a decimal or a citation
_END = r"(?!\d|[\w.,]\d|[A-Za-z]|/[A-Za-z(]|-?fold|\s*(?:-\s*)?times)"
_ONE = rf"(?<![\w\-./^”’·])(?<!\b[A-Z]\s)(?:{_NUM}){_END}"
_HEDGE = r"(?<![A-Za-z])(?P<hedge>about|approximately|around|roughly|nearly|almost|some|~|≈)\s*"
_BOUND = r"(?<![A-Za-z])(?P<bound>up to|less than|fewer than|lower than|below|under|at most|more than|greater than|over|" \
         r"above|at least|exceeding|<|>|≤|≥)\s*"
AMOUNT = re.compile(
    rf"(?:{_HEDGE})?(?:{_BOUND})?(?:(?P<pre>between|from)\s+)?(?P<a>{_ONE})"
    rf"(?:(?:\s*|-)(?P<a_unit>{_UNIT})(?![\w]))?"
    rf"(?:\s*(?P<a_scale>{_SCALE})\b)?"
    rf"(?:\s*(?P<sep>–|—|-|to|and)\s*(?P<b>(?:{_NUM}){_END}))?"
    rf"(?:\s*(?P<scale>{_SCALE})\b)?"
    rf"(?:(?:\s*|-)(?P<unit>{_UNIT})(?![\w]))?"
    rf"(?:\s*(?:±|\+/-)\s*(?:{_NUM})\s*(?:{_UNIT})?(?![\w]))?",
    re.I)
# what is not a figure of the measure: confidence intervals, p values, sample sizes, markers
DIGITS = re.compile(r"\d+")
SHARE = re.compile(r"\d\s+(?:in|per|out of)\s+\d", re.I)  # a sentence that may hold a RATIO
RATIO = re.compile(rf"(?:{_BOUND})?(?<![\w.,])(?P<n>\d+(?:\.\d+)?)\s+(?:in|per|out of)\s+(?P<d>\d{{1,3}}(?:,\d{{3}})+|\d+)(?![\d,.]\d)", re.I)
_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
NOT_FIGURES = re.compile(rf"\b\d{{1,2}}(?:st|nd|rd|th)?(?:\s*(?:–|-|to|and)\s*\d{{1,2}}(?:st|nd|rd|th)?)?\s+{_MONTH}|"
                         rf"\b{_MONTH}\s+\d{{1,2}}\b|\b\d{{1,2}}/\d{{1,2}}/\d{{2,4}}\b|^\s*\d+\.\s|\(\d{{1,3}}(?:[,–-]\s*\d{{1,3}})*\)|"
                         r"\b(?:9[059]|80)\s*%\s*(?:CI|CrI|HDI|confidence|credible|uncertainty|high[- ]density)"
                         r"(?:[^()\[\];]|[\[(]\s*(?:CI|CrI|HDI)\s*[\])])*|"
                         r"\b[pP]\s*[<=>≤]\s*0?\.\d+|\b(?:Tables?|Fig(?:ure)?s?\.?|Eq(?:uation)?s?\.?|Supplementary\s+\w+|"
                         r"Sections?|Chapters?|Appendix|Box|Phase|Step|Group|Type|Lineage|Clade|Model)\s*[A-Z]?\d+|\b[nN]\s*=\s*\d[\d,]*|\[[\d,;\s–-]+\]|\(\d{4}\)")
SCALES = {"thousand": 1e3, "million": 1e6, "millions": 1e6, "billion": 1e9}
HEDGED = 0.05  # "about 5 days" is read as 5 days ± 5%
UPPER = ("up to", "less than", "fewer than", "lower than", "below", "under", "at most", "<", "≤")


@dataclass(frozen=True)
class Amount:
    text: str  # as the sentence writes it
    low: float  # in the base unit (`unit`); a lower bound only: `high` is infinite
    high: float
    unit: str  # "days", "%", "mg", "mg/kg", "ml", "bases", "°C", or "" for a plain number
    start: int  # offsets in the sentence
    end: int
    bounded: bool = False  # "up to", "less than", "at least": one end is open


def amounts(sentence: str) -> tuple[Amount, ...]:
    """Every amount in `sentence`, in order (see the module doc)."""
    hidden = [m.span() for m in _near_digits(NOT_FIGURES, sentence, 24)]
    found = []
    for m in _near_digits(RATIO, sentence, 16) if SHARE.search(sentence) else ():  # "1 in 100,000": a share, in %
        if not any(a <= m.start() < b for a, b in hidden):
            n, d = _number(m.group("n")), _number(m.group("d"))
            if not (0 < d < math.inf and n < math.inf):
                continue  # "1 in 0"
            low, high, bounded = _bounded(m.group("bound"), 100 * n / d, 100 * n / d)
            found.append(Amount(text=m.group(0).strip(), low=low, high=high, unit="%", start=m.start(),
                                end=m.end(), bounded=bounded))
            hidden.append(m.span())
    for m in _near_digits(AMOUNT, sentence, 36):
        if any(a <= m.start("a") < b for a, b in hidden):
            continue
        amount = _amount(m)
        if amount is not None:
            found.append(amount)
    return tuple(sorted(found, key=lambda a: a.start))


def _near_digits(pattern: re.Pattern, sentence: str, reach: int = 40) -> Iterator[re.Match]:
    """The matches `pattern.finditer(sentence)` gives, for a pattern each match of which holds a
    digit at most `reach` characters from its start: searched from near each digit only, which is
    several times faster on a sentence of words (a pattern tries its alternatives at every position)."""
    end = 0
    for digits in DIGITS.finditer(sentence):
        if digits.start() < end:
            continue  # inside the last match
        m = pattern.search(sentence, max(end, digits.start() - reach))
        if m is None:
            return
        yield m
        end = m.end() if m.end() > m.start() else m.end() + 1


def in_base(value: float, unit: str) -> tuple[float, str]:
    """A value in `unit` as figures are compared: (value in its kind's base unit, that unit).

    >>> in_base(2, "weeks"), in_base(30, "kb"), in_base(5, "")
    ((14.0, 'days'), (30000.0, 'bases'), (5.0, ''))
    """
    base, factor = UNITS.get(unit.lower(), ("", 1.0))
    return value * factor, base


def _bounded(bound: str | None, low: float, high: float) -> tuple[float, float, bool]:
    """An interval with the bound before it applied ("up to 14": 0–14; "at least 3": 3–∞)."""
    if not bound:
        return low, high, False
    return ((0.0, high) if bound.lower() in UPPER else (low, math.inf)) + (True,)


def _number(text: str) -> float:
    return float(text.replace(",", "").replace(" ", "").replace("·", "."))


def _amount(m: re.Match) -> Amount | None:
    unit_text = (m.group("unit") or m.group("a_unit") or "").lower()
    base, factor = UNITS.get(unit_text, ("", 1.0))
    a_base, a_factor = UNITS.get((m.group("a_unit") or unit_text).lower(), ("", 1.0))
    if a_base != base:
        return None  # "2 days to 40%": no one kind of figure
    a = _number(m.group("a"))
    b = _number(m.group("b")) if m.group("b") else a
    if (m.group("b") is None and m.group("pre")) or (m.group("sep") == "and" and (m.group("pre") or "").lower() != "between"):
        return None  # "between 2" with no second number is no range; "2 and 9 days, respectively" is two figures
    if not unit_text and any(re.fullmatch(r"(1[89]|20)\d\d", n or "") for n in (m.group("a"), m.group("b"))):
        return None  # a year, or years ("1918-1919")
    scale = SCALES.get((m.group("scale") or m.group("a_scale") or "").lower(), 1.0)
    a_scale = SCALES.get((m.group("a_scale") or m.group("scale") or "").lower(), 1.0)
    low, high = sorted((a * a_factor * a_scale, b * factor * scale))  # "6 hours to 2 days": each its own unit
    if m.group("hedge"):
        low, high = low * (1 - HEDGED), high * (1 + HEDGED)
    low, high, bounded = _bounded(m.group("bound"), low, high)
    if not (math.isfinite(low) and (math.isfinite(high) or bounded)):
        return None  # a number too long for a float
    start = m.start()
    return Amount(text=m.group(0).strip(), low=low, high=high, unit=base, start=start,
                  end=start + len(m.group(0).rstrip()), bounded=bounded)
