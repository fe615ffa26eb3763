"""The one Jinja environment every page minekg writes is rendered with (site, query page, graph),
and the one way JSON goes into a page.

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


def script_json(text: str) -> str:
    """JSON text safe inside a ``<script>`` element: with ``<``, ``>`` and ``&`` escaped, no value
    can end the element (``</script>``) or put the HTML parser into a state where the rest of the
    page disappears (``<!--<script>``); line and paragraph separators are escaped too. The JSON
    parses to the same values."""
    for char, escape in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        text = text.replace(char, escape)
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
