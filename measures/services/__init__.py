"""The measures app's writes, one module per concern:

* ``catalogue.py``: priority areas, measures, coordinator offers, and the
  loader of the seed's catalogue and annex;
* ``transitions.py``: the one path that writes an initiative's status and
  timeline (``_transition``), the one check of an action's preconditions
  (``initiative_refusal``), what a user may do now, and ``initiative_act``,
  the single door that runs an action by its registry entry;
* ``initiatives.py``: the workflow's actions measures carries out, one
  service each (those of meetings, circulations and decisions are in
  ``secretariat/services/initiative_actions.py``);
* ``imports.py``: designations made outside the app, imported from a table;
* ``experts.py``: the expert roster (modality (b)).

The names below are the package's public face: callers write
``from measures.services import initiative_submit_paper`` (or
``services.initiative_submit_paper``) wherever the code lives.
"""

from .catalogue import (
    ANNEX_DATE,
    LANGS,
    area_upsert,
    catalogue_load,
    initiatives_from_offers,
    measure_upsert,
    offer_upsert,
)
from .experts import expert_designate, expert_end
from .imports import DESIGNATION_COLUMNS, designations_import
from .initiatives import (
    PAPER_SYMBOL_KIND,
    declaration_refusal,
    initiative_declare_interest,
    initiative_designate_coordinators,
    initiative_join,
    initiative_open_consultation,
    initiative_submit_paper,
    initiative_withdraw,
)
from .transitions import (
    PAPER_NAME,
    _transition,
    initiative_act,
    initiative_available_actions,
    initiative_note,
    initiative_refusal,
    latest_paper,
    measure_refresh_lead,
)

__all__ = [
    "declaration_refusal",
    "PAPER_NAME",
    "ANNEX_DATE",
    "DESIGNATION_COLUMNS",
    "LANGS",
    "PAPER_SYMBOL_KIND",
    "_transition",
    "area_upsert",
    "catalogue_load",
    "designations_import",
    "expert_designate",
    "expert_end",
    "initiative_act",
    "initiative_available_actions",
    "initiative_declare_interest",
    "initiative_designate_coordinators",
    "initiative_join",
    "initiative_note",
    "initiative_open_consultation",
    "initiative_refusal",
    "initiative_submit_paper",
    "initiative_withdraw",
    "initiatives_from_offers",
    "latest_paper",
    "measure_refresh_lead",
    "measure_upsert",
    "offer_upsert",
]
