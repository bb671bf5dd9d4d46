"""The conversation as one clean document for "Export conversation": every question and quote,
the sources once, the disclaimer once, and the builds that answered (`qa.present` writes it).
Where the file goes (a private folder per session) is `serving.ExportFiles`' business.
"""

from __future__ import annotations


def conversation_export(turns, engine) -> tuple[str, str]:
    """(file name, text) of the conversation `turns`, with the articles of `engine`'s build."""
    from qa.present import conversation_markdown, describe_article, export_name

    builds = ", ".join(dict.fromkeys(a.index_build for a in turns))
    text = conversation_markdown(turns, disclaimer=engine.disclaimer, index_digest=builds,
                                 built_at=engine.manifest.built_at,
                                 articles=[describe_article(a) for a in engine.articles.values()])
    return export_name(turns), text
