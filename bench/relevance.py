"""Print the search relevance figures of the test set in tests/search/relevance_corpus.py.

Builds the small support forum through the real services (in-memory SQLite and an in-memory
index, as the tests do), runs each judged query through forum_kb.search.services.search and
prints MRR@10, hit@1, hit@10, best@1 (the first result is one of the documents that should
come first) and nDCG@10, then every query whose first result is not one of its best
documents, with what came first instead.

    .venv/bin/python bench/relevance.py
    .venv/bin/python bench/relevance.py --all    # every query, not only the misses
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the corpus lives beside the test that sets the floors

from forum_kb import create_app  # noqa: E402
from forum_kb.extensions import db  # noqa: E402
from tests.search import relevance_corpus as corpus  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--all", action="store_true", help="list every query")
    args = parser.parse_args(argv)
    logging.getLogger("forum_kb.mail").setLevel(logging.ERROR)  # no mail server: say nothing
    with tempfile.TemporaryDirectory(prefix="forum_kb-relevance-") as instance:
        app = create_app(
            {
                "TESTING": True,
                "SECRET_KEY": "bench",
                "SQLALCHEMY_DATABASE_URI": "sqlite://",
                "SEARCH_INDEX_DIR": None,
                "SEARCH_INDEXER": "inline",
                "RATELIMIT_STORAGE_URI": "memory://",
                "ACCOUNTS_PASSWORD_HASH_METHOD": "scrypt:1024:8:1",
            },
            instance_path=instance,
        )
        with app.app_context():
            db.create_all()
            doc_ids = corpus.build()
            report = corpus.evaluate(doc_ids)
            titles = _titles(doc_ids)
    print(f"{len(doc_ids)} documents, {len(report.outcomes)} queries")
    print(report.summary())
    print()
    for outcome in report.outcomes:
        first = outcome.ranked[0] if outcome.ranked else None
        if not args.all and first is not None and outcome.judgement.grade(first) == 2:
            continue
        rank = outcome.rank or "-"
        print(f"{outcome.judgement.query!r}: first relevant at {rank}; wanted "
              f"{', '.join(outcome.judgement.best)}")  # fmt: skip
        for position, key in enumerate(outcome.ranked[:3], start=1):
            grade = "**" if outcome.judgement.grade(key) == 2 else (
                "* " if outcome.judgement.grade(key) else "  ")  # fmt: skip
            print(f"   {grade}{position}. {key:<22} {titles.get(key, '')[:60]}")
    return 0


def _titles(doc_ids: dict[str, str]) -> dict[str, str]:
    titles = {f"kb:{a.key}": a.title for a in corpus.ARTICLES}
    for question in corpus.QUESTIONS:
        titles[question.key] = question.title
        for n, answer in enumerate(question.answers, start=1):
            mark = "accepted " if answer.accepted else ""
            titles[f"{question.key}/{n}"] = f"({mark}answer) {answer.body}"
    return {key: titles.get(key, "") for key in doc_ids}


if __name__ == "__main__":
    raise SystemExit(main())
