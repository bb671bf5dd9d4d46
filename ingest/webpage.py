"""Read a saved web page (`.html`) into a `Draft`, with trafilatura finding the main content.

trafilatura (Apache-2.0, no downloads) drops navigation, footers and comments and returns the
article as XML: `head` elements are headings (the page's own markup says so, so they are kept),
`p` paragraphs and `list/item` list items; tables and comments are left out. Title, author and
site name come from its metadata; a DOI from the page's `citation_doi`/`dc.identifier` meta tag.
A date is only reported, never recorded: trafilatura guesses one even from a copyright line.

Does not read files or write Markdown; see `importer.py`.
"""

from __future__ import annotations

from .draft import Draft, DraftBlock, collapse

DOI_META = ("citation_doi", "dc.identifier", "prism.doi")


def read_web_page(html: str, *, url: str | None = None) -> Draft:
    import trafilatura
    from lxml import etree

    xml = trafilatura.extract(html, url=url, output_format="xml", with_metadata=True, include_comments=False,
                              include_tables=False, include_formatting=False, include_links=False,
                              include_images=False)
    if not xml:
        raise ValueError("no main text found in the page (trafilatura extracted nothing)")
    doc = etree.fromstring(xml.encode("utf-8"))
    main = doc.find("main")
    blocks = [b for el in (main if main is not None else []) for b in _blocks(el, depth=0)]
    meta = {"title": collapse(doc.get("title") or "")}
    for attr, field in (("author", "author"), ("sitename", "publisher"), ("url", "url"), ("license", "license")):
        if doc.get(attr):
            meta[field] = collapse(doc.get(attr))
    doi = _doi(html)
    if doi:
        meta["doi"] = doi
    unsure = [f"page date {doc.get('date')!r} not recorded (it may be a copyright year); add `published:` if right"] \
        if doc.get("date") else []
    if blocks and blocks[0].kind == "heading" and blocks[0].text == meta["title"]:
        blocks = blocks[1:]  # the title is front matter, not a section
    did = [f"main content extracted by trafilatura: {len(blocks)} blocks; front matter: {', '.join(meta)}"]
    return Draft(meta=meta, blocks=tuple(blocks), did=tuple(did), unsure=tuple(unsure))


def _blocks(el, depth: int) -> list[DraftBlock]:
    text = collapse("".join(el.itertext())) if el.tag != "list" else ""
    if el.tag == "head":
        level = int((el.get("rend") or "h2").lstrip("h") or 2) if (el.get("rend") or "").startswith("h") else 2
        return [DraftBlock("heading", text, level=max(level, 2))] if text else []
    if el.tag == "list":
        return [b for item in el.findall("item") for b in _item(item, depth)]
    return [DraftBlock("paragraph", text)] if text else []


def _item(item, depth: int) -> list[DraftBlock]:
    own = collapse((item.text or "") + "".join(
        "".join(child.itertext()) + (child.tail or "") for child in item if child.tag != "list"))
    nested = [b for sub in item.findall("list") for b in _blocks(sub, depth + 1)]
    return ([DraftBlock("item", own, level=depth)] if own else []) + nested


def _doi(html: str) -> str | None:
    from lxml import html as lxml_html

    try:
        tree = lxml_html.fromstring(html)
    except (ValueError, TypeError):
        return None
    for name in DOI_META:
        for value in tree.xpath("//meta[translate(@name, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', "
                                "'abcdefghijklmnopqrstuvwxyz')=$n]/@content", n=name):
            value = value.strip().removeprefix("doi:").removeprefix("https://doi.org/")
            if value.startswith("10."):
                return value
    return None
