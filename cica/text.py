"""Small text helpers shared by the apps."""

import re

_WHITESPACE = re.compile(r"\s+")


def single_line(text) -> str:
    """The text on one line: every run of whitespace (CR, LF, tabs, the
    Unicode line and paragraph separators) becomes one space. E-mail subjects
    are built with it: a header must not carry a line break (issue 13 item 16)."""
    return _WHITESPACE.sub(" ", str(text)).strip()
