"""Read a plain-text capture (`.txt`) into a `Draft`.

The expected shape, as CORD-19-style captures have it: a title line, then optionally a URL line
and `Key: value` lines (Authors, Date, DOI, License, SHA, ...), then the text in blank-line
separated paragraphs. Only keys in `HEADER_KEYS` are taken as metadata; the first other line
starts the body, so "Abstract: ..." stays text.

Structure is added only where it is certain: a one-line paragraph that names a usual section of
a paper ("Methods", "2. Results") becomes a heading; a "References" section whose entries are
numbered 1..N becomes the reference list, and then bracketed numbers in the text ("[12]") that
stand after a sentence become `[^12]` markers. Anything that merely looks like a heading or a
citation ("6, 7") stays text and is reported as unsure.

Does not read files or write Markdown; see `importer.py` and `markdown_out.py`.
"""

from __future__ import annotations

import re

from .draft import Draft, DraftBlock, collapse

# header key (lowercase) -> front-matter field
HEADER_KEYS = {
    "title": "title", "url": "url", "authors": "author", "author": "author", "date": "published",
    "published": "published", "publication date": "published", "updated": "last_updated",
    "last updated": "last_updated", "doi": "doi", "license": "license", "licence": "license",
    "sha": "sha", "publisher": "publisher", "journal": "publisher", "source": "publisher",
}
HEADER_LINE = re.compile(r"^([A-Za-z][A-Za-z ]{0,24}):\s*(.*)$")
URL_LINE = re.compile(r"^https?://\S+$")
BARE_DATE = re.compile(r"^\d{4}(?:-\d{2}(?:-\d{2})?)?$")
SECTION_NAMES = re.compile(
    r"^(?:\d{1,2}(?:\.\d{1,2})*\.?\s+)?(?:abstract|background|introduction|methods?|materials and methods|"
    r"methods and materials|results|results and discussion|discussion|conclusions?|summary|case (?:report|"
    r"presentation)|acknowledge?ments?|funding|references|bibliography|literature cited|limitations|"
    r"conflicts? of interest|competing interests|author contributions)$", re.IGNORECASE)
REFERENCE_HEADINGS = {"references", "bibliography", "literature cited"}
REFERENCE_ENTRY = re.compile(r"^\[?(\d{1,4})[\].)]?\s+(\S.*)$")
CITATION_RUN = re.compile(r"(?:\s*\[\d{1,4}\])+")
SENTENCE_END = re.compile(r"[.?!][)\"'’”]*$")
DOI_LINE = re.compile(r"^DOI:\s+(\S+)$")  # the label as headers write it; references write "doi:"
BARE_CITATION = re.compile(r"[.?!]\s\d{1,3}(?:,\s?\d{1,3})*(?=\s[A-Z]|$)")


def read_plain_text(text: str) -> Draft:
    lines = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    meta, did, start = _header(lines)
    paragraphs = _paragraphs(lines[start:])
    blocks, unsure = _structure(paragraphs)
    blocks, references, ref_notes = _references(blocks)
    if references:
        meta["references"] = references
    if "doi" not in meta:
        doi, notes = _doi_in_text(lines[start:], blocks)
        meta.update({"doi": doi} if doi else {})
        (did if doi else unsure).extend(notes)
    return Draft(meta=meta, blocks=tuple(blocks), did=tuple(did + ref_notes[:1]), unsure=tuple(unsure + ref_notes[1:]))


def _doi_in_text(lines: list[str], blocks: list[DraftBlock]) -> tuple[str | None, list[str]]:
    """The article's DOI when exactly one DOI stands on a line of its own after a "DOI:" label (a
    report's imprint or a pre-proof's header; its text stays as it is), else None and a note per
    DOI the text mentions: one inside a sentence or a reference entry ("doi:10.1/y") may be a cited
    work's.

    >>> _doi_in_text(["Some text.", "DOI: 10.1/x", "1. Roe K. doi:10.1/y"], [])
    ('10.1/x', ['DOI 10.1/x taken from a "DOI:" line in the text (kept in the text too)'])
    """
    alone = list(dict.fromkeys(m.group(1) for line in lines if (m := DOI_LINE.match(line.strip()))))
    if len(alone) == 1:
        return alone[0], [f'DOI {alone[0]} taken from a "DOI:" line in the text (kept in the text too)']
    mentioned = dict.fromkeys(re.findall(r"\bDOI:\s*(\S+)", " ".join(b.text for b in blocks)))
    return None, [f"DOI {m} found in the text, not in the header; add `doi:` if it is this article's"
                  for m in mentioned][:3]


def _header(lines: list[str]) -> tuple[dict, list[str], int]:
    """Title line(s), URL and `Key: value` lines at the top; returns (meta, notes, first body line)."""
    meta: dict = {}
    k = next((i for i, line in enumerate(lines) if line.strip()), len(lines))
    title = []
    while k < len(lines) and lines[k].strip() and len(title) < 3 and not _header_field(lines[k].strip()):
        title.append(lines[k].strip())
        k += 1
    if title:  # a title wrapped over lines; "non-" + "pharmaceutical" joins without a space
        joined = re.sub(r"(?<=[a-z])- (?=[a-z])", "-", " ".join(title))
        match = HEADER_LINE.match(joined)
        meta["title"] = match.group(2).strip() if match and match.group(1).lower() == "title" else joined
    taken: list[str] = []
    while k < len(lines):
        if not lines[k].strip():
            k += 1
            continue
        end = next((i for i in range(k, len(lines)) if not lines[i].strip()), len(lines))
        fields = _header_paragraph([line.strip() for line in lines[k:end]])
        if fields is None or any(f in meta for f, _ in fields):
            break
        meta.update(fields)
        taken.extend(f for f, _ in fields)
        k = end
    did = [f"front matter from the header: title, {', '.join(taken)}" if taken else "title from the first line"]
    return meta, did, k


def _header_field(line: str) -> tuple[str, str] | None:
    """("doi", "10.1/x") for a known `Key: value` line or ("url", ...) for a bare address."""
    if URL_LINE.match(line):
        return "url", line
    match = HEADER_LINE.match(line)
    if match and match.group(1).strip().lower() in HEADER_KEYS and match.group(2).strip():
        return HEADER_KEYS[match.group(1).strip().lower()], match.group(2).strip()
    return None


def _header_paragraph(lines: list[str]) -> list[tuple[str, str]] | None:
    """The fields of one header paragraph, or None if any line is not header. Besides `Key: value`
    lines, some captures give the authors and the date unlabelled: a bare date ("2014-05-07")
    is the publication date, and one line just before it, when a labelled line follows, the authors."""
    fields: list[tuple[str, str]] = []
    for i, line in enumerate(lines):
        field = _header_field(line)
        if field is None and BARE_DATE.match(line):
            field = ("published", line)
        elif field is None and i + 1 < len(lines) and BARE_DATE.match(lines[i + 1]) and not fields \
                and any(_header_field(rest) for rest in lines[i + 2:]):
            field = ("author", line)
        if field is None:
            return None
        fields.append(field)
    return fields


def _paragraphs(lines: list[str]) -> list[str]:
    paragraphs, current = [], []
    for line in lines + [""]:
        if line.strip():
            current.append(line)
        elif current:
            paragraphs.append(collapse(" ".join(current)))
            current = []
    return paragraphs


def _looks_like_heading(text: str) -> bool:
    words = text.split()
    return 0 < len(words) <= 6 and text[0].isupper() and not re.search(r"[.,;:?!]$", text)


def _structure(paragraphs: list[str]) -> tuple[list[DraftBlock], list[str]]:
    """Paragraphs, with the usual section names of a paper as headings; other short lines stay
    text (a one-line "Top" or "Lockdown" may be a heading, a table cell or a caption)."""
    blocks, unsure = [], []
    for k, text in enumerate(paragraphs):
        followed = k + 1 < len(paragraphs)
        if followed and SECTION_NAMES.match(text):
            blocks.append(DraftBlock("heading", text, level=2))
        else:
            blocks.append(DraftBlock("paragraph", text))
            if _looks_like_heading(text) and followed:
                unsure.append(f"kept as text, may be a heading: {text!r}")
    return blocks, unsure


def _references(blocks: list[DraftBlock]) -> tuple[list[DraftBlock], dict[str, str], list[str]]:
    """Take a numbered reference list out of the body and mark citations that it makes certain.
    Returns (blocks, references, [what was done, then what was unsure])."""
    at = next((i for i, b in enumerate(blocks) if b.kind == "heading"
               and re.sub(r"^[\d.\s]+", "", b.text).lower() in REFERENCE_HEADINGS), None)
    if at is None:
        return blocks, {}, ["no reference list: bracketed numbers kept as text"] + _bare_citation_note(blocks)
    end = next((i for i in range(at + 1, len(blocks)) if blocks[i].kind == "heading"), len(blocks))
    entries = [REFERENCE_ENTRY.match(b.text) for b in blocks[at + 1:end]]
    numbers = [int(m.group(1)) for m in entries if m]
    if not entries or None in entries or numbers != list(range(1, len(numbers) + 1)):
        return blocks, {}, ["reference list kept as text",
                            f"the section {blocks[at].text!r} is not a list numbered 1..N, so it stayed text"]
    references = {str(n): m.group(2) for n, m in zip(numbers, entries)}
    body = blocks[:at] + blocks[end:]
    cited = {int(n) for b in body for n in re.findall(r"\[(\d{1,4})\]", b.text)}
    if not cited or max(cited) > len(references):
        why = "none found" if not cited else f"[{max(cited)}] is beyond the {len(references)} entries"
        return body, references, [f"{len(references)} references taken into front matter",
                                  f"bracketed citations left as text ({why})"]
    body = [_mark_citations(b) for b in body]
    marked = sum(len(b.markers) for b in body)
    return body, references, [f"{len(references)} references taken into front matter; {marked} citations "
                              "marked [^N]"] + _bare_citation_note(body)


def _mark_citations(block: DraftBlock) -> DraftBlock:
    """Turn runs of "[N]" that close a sentence (or the paragraph) into markers; a number inside
    a sentence stays text, because taking it out would change the quoted sentence."""
    if block.kind == "heading":
        return block
    out, markers, last = [], [], 0
    for match in CITATION_RUN.finditer(block.text):
        before = block.text[:match.start()]
        at_end = match.end() == len(block.text) or block.text[match.end()] == " "
        if not (at_end and (SENTENCE_END.search(before) or match.end() == len(block.text))):
            continue
        out.append(block.text[last:match.start()])
        pos = sum(map(len, out))
        markers.extend((pos, n) for n in re.findall(r"\d+", match.group(0)))
        last = match.end()
    if not markers:
        return block
    out.append(block.text[last:])
    return DraftBlock(block.kind, "".join(out), block.level, tuple(markers))


def _bare_citation_note(blocks: list[DraftBlock]) -> list[str]:
    bare = sum(len(BARE_CITATION.findall(b.text)) for b in blocks)
    return [f"{bare} unbracketed numbers after sentences (like '. 6, 7') may be citations; kept as text"] if bare else []
