"""Text helpers shared by the registers: names compared the way people type them."""

import unicodedata


def normalize_name(value: str) -> str:
    """Fold case, accents and apostrophes so "federation de russie" finds
    "Fédération de Russie" and "Iran (Republique islamique d'" finds the
    seed's spelling with a typographic apostrophe, on SQLite as on PostgreSQL."""
    value = value.replace("\u2019", "'").replace("\u2018", "'")
    decomposed = unicodedata.normalize("NFKD", value)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.casefold().split())
