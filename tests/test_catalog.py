"""The library keeper's commands: `python -m ingest list` and `remove`, and the overdue reviews a
build warns about and the page's article list marks."""

from __future__ import annotations

import datetime
import json
import subprocess
import sys

from tests.conftest import ROOT

DROP = "symptom-database-foot-drop"
ORACLE = "droracle-medical-management-foot-drop"


def _ingest(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ingest", *args], cwd=ROOT, capture_output=True, text=True)


def _set_front_matter(corpus, article_id: str, line: str) -> None:
    path = corpus / "articles" / f"{article_id}.md"
    path.write_text(path.read_text(encoding="utf-8").replace("---\n", f"---\n{line}\n", 1), encoding="utf-8")


def test_the_list_shows_every_article_with_its_review_and_words(corpus_copy):
    _set_front_matter(corpus_copy, DROP, "review_by: 2020-01-31")
    _set_front_matter(corpus_copy, ORACLE, f"review_by: {datetime.date.today().year + 1}-06-30")
    shown = _ingest("list", "--corpus", str(corpus_copy))
    assert shown.returncode == 0, shown.stderr
    lines = shown.stdout.splitlines()
    assert lines[0].split() == ["id", "title", "dated", "review", "license", "words"]
    row = next(line for line in lines if line.startswith(DROP))
    assert "OVERDUE since 2020-01-31" in row and "undated" in row
    assert f"due {datetime.date.today().year + 1}-06-30" in next(line for line in lines if line.startswith(ORACLE))
    assert lines[-1] == "2 articles; 1 with an overdue review"

    only = _ingest("list", "--corpus", str(corpus_copy), "--overdue", "--json")
    [record] = json.loads(only.stdout)
    body = (corpus_copy / "articles" / f"{DROP}.md").read_text(encoding="utf-8").split("---\n", 2)[2]
    assert record["id"] == DROP and record["overdue"] is True and record["words"] == len(body.split())
    assert record["originals"] == ["originals/000_42526216cbe3f0c3.txt"]


def test_remove_moves_the_article_and_its_original_out_and_a_rebuild_drops_it(corpus_copy, tmp_path, build):
    index = tmp_path / "index"
    build(corpus_copy, index)
    done = _ingest("remove", DROP, "--corpus", str(corpus_copy))
    assert done.returncode == 0, done.stderr
    assert not (corpus_copy / "articles" / f"{DROP}.md").exists()
    assert not (corpus_copy / "originals" / "000_42526216cbe3f0c3.txt").exists()
    [moved] = list((corpus_copy / "removed").iterdir())
    assert moved.name.endswith(f"-{DROP}") and (moved / "articles" / f"{DROP}.md").is_file()
    assert (moved / "originals" / "000_42526216cbe3f0c3.txt").is_file()
    assert (corpus_copy / "originals" / "004_f667f4503d2a56a4.txt").is_file()  # the other article's original stays
    assert "python -m ingest --corpus" in done.stdout

    import qa

    build(corpus_copy, index)
    assert set(qa.load(index).articles) == {ORACLE}


def test_removing_an_unknown_id_moves_nothing_and_names_the_nearest(corpus_copy):
    before = sorted(p.relative_to(corpus_copy) for p in corpus_copy.rglob("*"))
    refused = _ingest("remove", "symptom-database", "--corpus", str(corpus_copy))
    assert refused.returncode == 1 and f"Did you mean {DROP}?" in refused.stderr and "nothing was moved" in refused.stderr
    assert sorted(p.relative_to(corpus_copy) for p in corpus_copy.rglob("*")) == before


def test_a_build_warns_of_overdue_reviews_and_the_page_marks_them(corpus_copy, tmp_path, build):
    from chatpage.header import header_html
    from ingest.build import overdue_reviews

    import qa

    _set_front_matter(corpus_copy, DROP, "review_by: 2020-01-31")
    result = build(corpus_copy, tmp_path / "index")
    assert [w for w in result.warnings if "review was due 2020-01-31" in w and f"{DROP}.md" in w]
    engine = qa.load(tmp_path / "index")
    header = header_html(engine, [])
    assert "About this index (1 review overdue)" in header and "review was due 2020-01-31</span>" in header

    many = [engine.articles[DROP]] * 12
    notes = overdue_reviews(many, corpus_copy, datetime.date.today(), named=10)
    assert len(notes) == 11 and notes[-1].startswith("2 more articles are past their review_by date")


def test_a_broken_article_stops_the_build_unless_it_is_left_out_by_name(corpus_copy, tmp_path, build):
    """One unreadable file in a library of thousands: the build stops and says how to go on without
    it; with skip_broken it is left out, named in a warning, and the rest is built."""
    import pytest

    import qa
    from chatpage.header import header_html
    from ingest.__main__ import summary
    from ingest.parse import CorpusError

    path = corpus_copy / "articles" / f"{DROP}.md"
    path.write_text(path.read_text(encoding="utf-8").replace("title: ", "heading: ", 1), encoding="utf-8")
    with pytest.raises(CorpusError, match="has no `title`.*--skip-broken` builds without it"):
        build(corpus_copy, tmp_path / "index")
    assert not (tmp_path / "index" / "current").exists()

    result = build(corpus_copy, tmp_path / "index", skip_broken=True)
    assert [w for w in result.warnings if w.startswith("left out of this build:") and f"{DROP}.md" in w]
    engine = qa.load(tmp_path / "index")
    assert set(engine.articles) == {ORACLE}
    # the build remembers what it left out: the next run, with nothing changed, and the page still say so
    assert "has no `title`" in engine.manifest.left_out[f"articles/{DROP}.md"]
    again = build(corpus_copy, tmp_path / "index", skip_broken=True)
    assert again.status == "up to date" and f"1 broken article(s) left out: articles/{DROP}.md" in summary(again, tmp_path)
    assert f"<code>articles/{DROP}.md</code>" in header_html(engine, [])


def test_a_broken_article_is_listed_as_broken_and_can_be_removed(corpus_copy):
    path = corpus_copy / "articles" / f"{DROP}.md"
    path.write_text("no front matter at all\n", encoding="utf-8")
    shown = _ingest("list", "--corpus", str(corpus_copy))
    assert shown.returncode == 0, shown.stderr
    assert "BROKEN: no YAML front matter" in next(line for line in shown.stdout.splitlines() if line.startswith(DROP))
    done = _ingest("remove", DROP, "--corpus", str(corpus_copy))
    assert done.returncode == 0, done.stderr
    assert not path.exists() and (corpus_copy / "originals" / "004_f667f4503d2a56a4.txt").is_file()
