"""Make text from a user or an article inert in Markdown that may be shown as HTML. (HTML itself
is escaped by the templates' autoescape: `templating`.)"""

from __future__ import annotations

import html
import re

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|~>-])")


def escape_md(text: str) -> str:
    """Make text inert in Markdown and HTML.

    >>> escape_md("<img src=x> *a*")
    '&lt;img src=x&gt; \\\\*a\\\\*'
    """
    return _MD_SPECIAL.sub(r"\\\1", html.escape(" ".join(text.split()), quote=False))
