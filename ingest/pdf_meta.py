"""Front matter of a PDF article: title, author, DOI and dates, from its metadata and first page.

- Title: the first page's largest print at its top (at least 1.3 × the body size), which is what a
  reader sees; else the metadata `Title` unless it is a file name ("Microsoft Word - x.docx").
- Author: the metadata `Author`.
- DOI: the one DOI written on the first page (header and footer included) or in the metadata's
  Subject/Keywords; several different ones are only reported.
- `published` / `last_updated`: a date written after "Published" / "Last updated", "Updated" or
  "Reviewed" on the first page ("12 March 2021", "March 12, 2021", "2021-03-12"). The file's
  CreationDate is only reported: it says when the PDF was made, not the article.

Does not read the PDF; `pdf.py` passes the lines and metadata.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from typing import Mapping

DOI = re.compile(r"\b10\.\d{4,9}/[^\s\"<>]+")
MONTHS = {m: k for k, m in enumerate(("january", "february", "march", "april", "may", "june", "july", "august",
                                       "september", "october", "november", "december"), start=1)}
DATE = r"(\d{4}-\d{2}-\d{2}|\d{1,2}\s+[A-Za-z]{3,9}\.?,?\s+\d{4}|[A-Za-z]{3,9}\.?\s+\d{1,2},?\s+\d{4})"
LABELS = {"published": r"(?:published(?:\s+online)?|publication\s+date|date\s+of\s+publication)",
          "last_updated": r"(?:last\s+updated|updated|last\s+reviewed|reviewed)"}
FILE_TITLE = re.compile(r"^(?:microsoft\s+\w+\s+-\s+.*|untitled.*|.*\.(?:docx?|pdf|tex|dvi|rtf|indd|pptx?))$",
                        re.IGNORECASE)


@dataclass(frozen=True)
class Found:
    meta: dict
    did: tuple[str, ...]
    unsure: tuple[str, ...]


def parse_date(text: str) -> str | None:
    """YYYY-MM-DD of a written date, or None.

    >>> parse_date("12 March 2021"), parse_date("Sept. 3, 2020"), parse_date("2021-13-01")
    ('2021-03-12', '2020-09-03', None)
    """
    text = text.replace(",", " ").replace(".", " ")
    parts = text.split()
    try:
        if len(parts) == 1:
            return datetime.date.fromisoformat(parts[0]).isoformat()
        day, month = (parts[0], parts[1]) if parts[0].isdigit() else (parts[1], parts[0])
        number = next((n for name, n in MONTHS.items() if name.startswith(month.lower()[:3])), None)
        return datetime.date(int(parts[2]), number, int(day)).isoformat() if number else None
    except (ValueError, IndexError):
        return None


def usable_title(title: str | None) -> str | None:
    title = " ".join((title or "").split())
    return title if len(title) > 3 and not FILE_TITLE.match(title) and " " in title else None


def front_matter(page_title: str | None, first_page: list[str], metadata: Mapping[str, str]) -> Found:
    meta, did, unsure = {}, [], []
    pdf_title = usable_title(metadata.get("Title"))
    meta["title"] = page_title or pdf_title or ""
    did.append("title from the first page's largest print" if page_title else
               "title from the PDF's metadata" if pdf_title else "no title found: the file name is used")
    if page_title and pdf_title and pdf_title.lower() != page_title.lower():
        unsure.append(f"the PDF's metadata calls it {pdf_title!r}; the first page's title was used")
    if metadata.get("Author"):
        meta["author"] = " ".join(metadata["Author"].split())
    doi, notes = _doi(first_page + [metadata.get("Subject", ""), metadata.get("Keywords", "")])
    (did if doi else unsure).extend(notes)
    meta.update({"doi": doi} if doi else {})
    for field, found in _dates(first_page).items():
        meta[field] = found
        did.append(f"`{field}: {found}` from the first page")
    if "published" not in meta and metadata.get("CreationDate", "").startswith("D:"):
        made = metadata["CreationDate"][2:10]
        unsure.append(f"the PDF file was made {made[:4]}-{made[4:6]}-{made[6:8]}; not recorded as the publication "
                      "date (add `published:` if it is)")
    return Found(meta, tuple(did), tuple(unsure))


def _doi(texts: list[str]) -> tuple[str | None, list[str]]:
    found = list(dict.fromkeys(m.group(0).rstrip(".,;)]") for t in texts for m in DOI.finditer(t)))
    if len(found) == 1:
        return found[0], [f"DOI {found[0]} from the first page or the PDF's metadata"]
    return None, [f"DOIs {', '.join(found[:3])} on the first page; add `doi:` with this article's"] if found else []


def _dates(lines: list[str]) -> dict[str, str]:
    out = {}
    text = " ".join(lines)
    for field, label in LABELS.items():
        match = re.search(r"\b" + label + r"\s*(?:on|:)?\s*" + DATE, text, re.IGNORECASE)
        when = parse_date(match.group(1)) if match else None
        if when:
            out[field] = when
    return out
