"""Write a `Draft` as a corpus Markdown file and prove it reads back as the same article.

Article text is ordinary prose that Markdown would misread: a line starting "1." or "-" becomes a
list, `*`/`_` emphasis, `[`/`<` links and HTML, `&amp;` an entity. `escape` puts a backslash before
exactly those characters (CommonMark's escapes), so the reader sees the words as written.
`render_checked` parses its own output back with the corpus parser and refuses to return text
whose blocks, words or reference markers differ from the draft: a file that would not round-trip
is never written.

Does not decide what is a heading or a reference; the importers do.
"""

from __future__ import annotations

import re

import yaml

from .draft import Draft, DraftBlock, collapse
from .parse import parse_body, parse_front_matter

INLINE_SPECIAL = re.compile(r"([\\`*_\[\]<>&])")
ORDERED = re.compile(r"^(\d{1,9})([.)])")


class RoundTripError(ValueError):
    """The rendered Markdown would not read back as the draft."""


def escape(text: str) -> str:
    """Backslash-escape what CommonMark would read as markup in one line of prose.

    >>> print(escape("1. Use *AFO* [1] & <rest>"))
    1\\. Use \\*AFO\\* \\[1\\] \\& \\<rest\\>
    """
    text = INLINE_SPECIAL.sub(r"\\\1", collapse(text))
    if ORDERED.match(text):
        return ORDERED.sub(r"\1\\\2", text, count=1)
    if text[:1] in "-+=#>~|":
        return "\\" + text
    return text


def _with_markers(block: DraftBlock) -> str:
    """The escaped text with `[^N]` markers put back where the importer found the citations."""
    out, last = [], 0
    for pos, label in block.markers:
        out.append(escape(block.text[last:pos]) if last == 0 else _escape_inner(block.text[last:pos]))
        out.append(f" [^{label}]")
        last = pos
    rest = block.text[last:]
    out.append((escape(rest) if last == 0 else _escape_inner(rest)))
    return "".join(out).strip()


def _escape_inner(text: str) -> str:
    """Escape a piece that continues a line (line-start rules do not apply), keeping its spaces."""
    return INLINE_SPECIAL.sub(r"\\\1", text)


def render_block(block: DraftBlock) -> str:
    body = _with_markers(block)
    if block.kind == "heading":
        # a heading's trailing " #" run would be read as a closing sequence
        return "#" * max(block.level, 2) + " " + re.sub(r"(\s)#", r"\1\\#", body)
    if block.kind == "item":
        return "  " * block.level + "- " + body
    return body


def render(draft: Draft) -> str:
    front = yaml.safe_dump(dict(draft.meta), allow_unicode=True, sort_keys=False, width=10_000)
    parts = []
    for k, block in enumerate(draft.blocks):
        tight = k and block.kind == "item" and draft.blocks[k - 1].kind == "item"  # one list, not several
        parts.append(("\n" if tight else "\n\n") + render_block(block))
    return "---\n" + front + "---\n" + "".join(parts) + "\n"


def render_checked(draft: Draft) -> str:
    """`render(draft)`, after checking the corpus parser reads it back as exactly the draft."""
    text = render(draft)
    meta, body = parse_front_matter(text)
    if meta != dict(draft.meta):
        raise RoundTripError("the front matter does not read back as written")
    got = [(b.kind, b.text, tuple(label for _, label in b.markers)) for b in parse_body(body)]
    want = [(b.kind, collapse(b.text), tuple(label for _, label in b.markers)) for b in draft.blocks]
    for k, (g, w) in enumerate(zip(got, want)):
        if g != w:
            raise RoundTripError(f"block {k + 1} would read back as {g[1][:80]!r} instead of {w[1][:80]!r}")
    if len(got) != len(want):
        raise RoundTripError(f"{len(want)} blocks would read back as {len(got)}")
    return text
