"""What a question asks for that the quotes do not give: a dose, a duration, a number.

A clinician who asks "What dose of X?" and reads quotes that hold no number should be told so
plainly ("The articles give no dose.") rather than left to infer it from what is missing.

Pure: the question and the quoted texts in, the names of the missing kinds out.
"""

from __future__ import annotations

import re
from typing import Sequence

# (kind, what the question says when it asks for it); the first kind that matches is reported
ASKS = (
    ("dose", re.compile(r"\b(dose|doses|dosage|dosing|how much|how many (mg|milligrams|units|tablets))\b", re.I)),
    ("duration", re.compile(r"\b(how long|duration|how many (days|weeks|months|years|hours))\b", re.I)),
    ("frequency", re.compile(r"\b(how often|how many times|times a (day|week)|per (day|week))\b", re.I)),
    ("number", re.compile(r"\b(how many|what (percentage|proportion|percent|fraction)|success rate|what rate)\b", re.I)),
)
NUMBER = re.compile(r"\d|\b(one|two|three|four|five|six|seven|eight|nine|ten|twelve|twenty|thirty|hundred|"
                    r"thousand|million|once|twice|half|a third|a quarter|dozen)\b", re.I)


def missing_kinds(question: str, quotes: Sequence[str]) -> tuple[str, ...]:
    """
    >>> missing_kinds("What dose of amitriptyline is used?", ["Amitriptyline helps neuropathic pain."])
    ('dose',)
    >>> missing_kinds("How long does recovery take?", ["Recovery takes 3 to 6 months."])
    ()
    >>> missing_kinds("What causes foot drop?", ["Nerve injury."])
    ()
    """
    for kind, pattern in ASKS:
        if pattern.search(question):
            return () if any(NUMBER.search(q) for q in quotes) else (kind,)
    return ()
