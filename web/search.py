"""The site's search (issue 16 item 11): one function says what a query
finds and what the reader may see of it.

* Measures by word, accent- and case-insensitive, by prefix of the word's
  stem in any of the three languages (``measures.search``), or by code;
* states and organisations by any of their names or aliases
  (``ParticipantQuerySet.search``);
* initiatives by reference (``HUM-5``, ``HUM-5-2``, or a paper's symbol
  ``CICA/CP/HUM-5/1``, ``HUM-5/1``): initiative pages are public;
* papers by symbol, only those the reader may see (``papers_visible_many``);
* the information exchange, only what the reader may see.

Each list is capped; the query is cleaned first (no NUL or control
character, CR/LF as spaces, 200 characters at most).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.shortcuts import render

from measures import selectors as measure_selectors
from measures.models import Initiative, Measure, Paper
from measures.search import clean_query, parse_reference
from members.models import Participant
from members.rules import AnyUser
from secretariat import selectors as secretariat_selectors

LIMIT = 50


def search_all(user: AnyUser, q: str | None) -> dict[str, Any]:
    """What ``q`` finds for ``user``: ``q`` (cleaned) and one list per kind."""
    q = clean_query(q)
    found: dict[str, Any] = {
        "q": q,
        "measures": [],
        "states": [],
        "initiatives": [],
        "papers": [],
        "information": [],
    }
    if not q:
        return found
    found["measures"] = list(Measure.objects.search(q).select_related("area")[:LIMIT])
    found["states"] = list(Participant.objects.search(q).with_status().order_by("code")[:LIMIT])
    reference = parse_reference(q)
    papers = Paper.objects.filter(symbol__icontains=q)
    if reference is not None:
        initiatives = Initiative.objects.filter(measure__code=reference.code)
        if reference.sequence is not None:
            initiatives = initiatives.filter(sequence=reference.sequence)
        found["initiatives"] = list(
            initiatives.select_related("measure").order_by("sequence", "pk")[:LIMIT]
        )
        if reference.version is not None:
            kinds = Q(initiative__in=[i.pk for i in found["initiatives"]])
            papers = Paper.objects.filter(
                Q(symbol__icontains=q) | (kinds & Q(version=reference.version))
            )
    annotated = measure_selectors.paper_annotated(
        papers.select_related("initiative__measure").order_by("symbol")
    )[:LIMIT]
    found["papers"] = measure_selectors.papers_visible_many(user, annotated)
    found["information"] = list(
        secretariat_selectors.information_search(
            secretariat_selectors.information_visible(user), q
        )[:LIMIT]
    )
    return found


def search(request):
    """The search page: the form, then what :func:`search_all` finds."""
    return render(request, "cica/search.html", search_all(request.user, request.GET.get("q")))
