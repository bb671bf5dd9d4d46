"""The HTML templates (`qa/present/templates/`), loaded once: every value is escaped unless it is
`Markup` (HTML another template already made), and a name a template uses but is not given is an
error, not an empty string.

So that a template can be written one element a line: a line break and the indentation after it
are dropped from a template's own text (never from a value), so write the space where one is
meant, and keep each `{{ }}` or `{% %}` on one line.
"""

from __future__ import annotations

import re

from jinja2 import Environment, PackageLoader, StrictUndefined
from jinja2.ext import Extension
from markupsafe import Markup

_BREAK = re.compile(r"\n[ \t]*")


class _OneLine(Extension):
    """Drop line breaks and their indentation from a template's source before it is compiled."""

    def preprocess(self, source: str, name: str | None, filename: str | None = None) -> str:
        return _BREAK.sub("", source)


_ENV = Environment(loader=PackageLoader("qa.present", "templates"), autoescape=True, undefined=StrictUndefined,
                   extensions=[_OneLine])


def render(name: str, **values) -> Markup:
    """Template `name` filled with `values`, as HTML safe to put into another template."""
    return Markup(_ENV.get_template(name).render(**values))
