"""The one Jinja environment every page minekg writes is rendered with (site, query page, graph).

Templates ship in the package (``minekg/templates``). Autoescaping is on for every template, so a
value from a source document (a quote, a title) is always text on a page, never markup.
"""

from __future__ import annotations

import functools

from jinja2 import Environment, PackageLoader, select_autoescape


@functools.cache
def environment() -> Environment:
    return Environment(
        loader=PackageLoader("minekg", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
