"""How the Catalogue is searched by words (issue 16 item 11): "energie",
"énergie", "энергия" and "energy" all find ECO-3, "Energy security" /
"Sécurité énergétique" / "Энергетическая безопасность".

The rule, the same in spirit on both databases: the query is folded for case
and accents (``members.text.normalize_name``) and cut into words; a measure
matches when *every* word matches a word of its code, its title or its text
in any of the three languages, or of its area's name, **by prefix of the
word's stem**.

* On PostgreSQL the stem is the database's: the words, through ``unaccent``, go through
  ``to_tsquery`` with each of the ``simple``, ``english``, ``french`` and
  ``russian`` configurations, as prefixes (``'энерг':*``), against the
  measure's names passed through ``unaccent`` and stemmed by the same
  configuration ("энергия" → ``энерг``, which prefixes ``энергетическ``;
  "énergie" → ``energ``, which prefixes ``energet``). The vectors are built
  at query time: the register holds a few dozen measures.
* On SQLite (development, the tests' default) there is no stemmer: a query
  word matches a name word that starts with it, or that shares its first
  ``max(5, len(word) - 3)`` letters — dropping up to three letters of
  inflection, never below five (énergie/énergétique, энергия/энергетическая,
  безопасность/безопасности; but "transport" does not find "transnational").
  The few dozen measures are read once and compared in Python.

Both keep the substring lookups of ``MeasureQuerySet.search`` (code, area
aliases) around this rule; words of one letter are left to those.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.contrib.postgres.lookups import Unaccent
from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db import connection
from django.db.models import F, Q, TextField

from members.text import normalize_name

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from .models import Measure

# What a page or the API passes on: enough for any title, never a 10 kB query.
QUERY_LIMIT = 200
MAX_WORDS = 8
MIN_STEM = 5
LANGUAGES = ("en", "fr", "ru")
CONFIGS = ("simple", "english", "french", "russian")
FIELDS = (
    *(f"title_{lang}" for lang in LANGUAGES),
    *(f"area__name_{lang}" for lang in LANGUAGES),
    *(f"text_{lang}" for lang in LANGUAGES),
)
_WORD = re.compile(r"[^\W_]+")
# An initiative's reference (HUM-5, HUM-5-2) or a paper's symbol
# (CICA/CP/HUM-5/1, or HUM-5/1 for short).
_REFERENCE = re.compile(
    r"(?:CICA/(?:CP|WP)/)?(?P<code>[A-Z]{2,8}-\d{1,4})(?:-(?P<sequence>\d{1,4}))?"
    r"(?:/(?P<version>\d{1,4}))?",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Reference:
    code: str
    sequence: int | None
    version: int | None


def parse_reference(text: str) -> Reference | None:
    """``CICA/CP/HUM-5-2/1`` → HUM-5, initiative 2, version 1; ``ECO-3`` →
    ECO-3, any initiative; ``None`` if the text is not a reference."""
    found = _REFERENCE.fullmatch(clean_query(text))
    if found is None:
        return None
    sequence, version = found["sequence"], found["version"]
    return Reference(
        code=found["code"].upper(),
        sequence=int(sequence) if sequence else None,
        version=int(version) if version else None,
    )


def clean_query(text: str | None) -> str:
    """The query as a search may use it: no NUL or other control character
    (PostgreSQL refuses a NUL in a string), CR/LF and runs of spaces as one
    space, at most :data:`QUERY_LIMIT` characters."""
    text = "".join(ch for ch in (text or "")[: QUERY_LIMIT * 4] if ch.isprintable() or ch.isspace())
    return " ".join(text.split())[:QUERY_LIMIT]


def query_words(text: str, *, accents: bool = False) -> list[str]:
    """The query's words, two letters or more, folded for case, and for
    accents too unless ``accents`` (PostgreSQL's ``unaccent`` folds those:
    it keeps "й", which ``normalize_name`` makes "и")."""
    text = clean_query(text)
    folded = unicodedata.normalize("NFC", text).casefold() if accents else normalize_name(text)
    words = [w for w in _WORD.findall(folded) if len(w) >= 2]
    return list(dict.fromkeys(words))[:MAX_WORDS]


def word_matches(query_word: str, word: str) -> bool:
    """A folded query word against a folded name word (SQLite's rule, above)."""
    need = min(len(query_word), max(MIN_STEM, len(query_word) - 3))
    return len(word) >= need and word[:need] == query_word[:need]


def measure_ids_by_words(
    measures: QuerySet[Measure], text: str
) -> QuerySet[Any] | list[int] | None:
    """The ids of ``measures`` whose names match every word of ``text``: a
    subquery on PostgreSQL, a list on SQLite; ``None`` when the query has no
    word this rule can use."""
    if parse_reference(text) is not None:
        return None  # a code or a reference: the caller's exact lookups
    postgresql = connection.vendor == "postgresql"
    words = query_words(text, accents=postgresql)
    if not words:
        return None
    if postgresql:
        return _postgresql_ids(measures, words)
    rows = measures.order_by().values_list("pk", *FIELDS)
    found = []
    for pk, *values in rows:
        names = set(_WORD.findall(normalize_name(" ".join(v or "" for v in values))))
        if all(any(word_matches(q, w) for w in names) for q in words):
            found.append(pk)
    return found


def _postgresql_ids(measures: QuerySet[Measure], words: Iterable[str]) -> QuerySet[Any] | None:
    # The words through unaccent first, then cut into letters and digits
    # again: unaccent may give punctuation ("ŉ" is "'n"), which tsquery's
    # syntax would read. What is left holds nothing of that syntax.
    with connection.cursor() as cursor:
        cursor.execute("SELECT unaccent(%s)", [" ".join(words)])
        folded = cursor.fetchone()[0]
    words = [w for w in _WORD.findall(folded.casefold()) if len(w) >= 2][:MAX_WORDS]
    if not words:
        return None
    raw = " & ".join(f"{word}:*" for word in words)
    match = Q()
    for config in CONFIGS:
        names = [Unaccent(F(field), output_field=TextField()) for field in FIELDS]
        vector = SearchVector(*names, config=config)
        measures = measures.annotate(**{f"words_{config}": vector})
        query = SearchQuery(raw, config=config, search_type="raw")
        match |= Q(**{f"words_{config}": query})
    return measures.filter(match).order_by().values("pk")
