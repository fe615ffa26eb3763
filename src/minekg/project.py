"""Where things live: the user's project, found once, and what minekg itself ships.

A *project* is a folder with ``data/records`` (one YAML record per source document) and
``data/reference`` (the curated states, organizations, rules …); the build goes to ``out/`` and
the published site to ``site/`` beside them, and a ``queries/`` folder may add or override named
queries. Every command derives its defaults from the project, so minekg behaves the same from
any folder of it and from an installed wheel. The project is, first found first:

1. ``--project DIR``;
2. ``$MINEKG_PROJECT``;
3. the nearest parent of the working directory holding ``data/records`` (as git finds its repo).

What minekg needs to work at all — the ontology, the shapes and rules, the JSON-LD context, the
named queries and the page templates — ships inside the package and is read from there, never
from the working directory: a check that ran no shape because a folder was not where it looked
would pass having checked nothing.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

from minekg.errors import SetupError

ENVIRONMENT = "MINEKG_PROJECT"
MARKER = Path("data") / "records"


def shipped(name: str) -> Path:
    """A folder that ships inside the package: ``ontology``, ``queries`` or ``templates``."""
    return Path(str(files("minekg") / name))


ONTOLOGY = shipped("ontology")
QUERIES = shipped("queries")


@dataclass(frozen=True)
class Project:
    root: Path

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def reference(self) -> Path:
        return self.data / "reference"

    @property
    def records(self) -> Path:
        return self.data / "records"

    @property
    def out(self) -> Path:
        return self.root / "out"

    @property
    def site(self) -> Path:
        return self.root / "site"

    @property
    def queries(self) -> Path:
        return self.root / "queries"


def find(explicit: Path | None = None, start: Path | None = None) -> Project:
    """The project of ``--project``, ``$MINEKG_PROJECT`` or the working directory's parents."""
    named = explicit or (Path(os.environ[ENVIRONMENT]) if os.environ.get(ENVIRONMENT) else None)
    if named is not None:
        if not (named / MARKER).is_dir():
            how = "--project" if explicit else f"${ENVIRONMENT}"
            raise SetupError(f"{named}: not a minekg project ({how} names no folder with {MARKER})")
        return Project(named.resolve())
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / MARKER).is_dir():
            return Project(folder)
    raise SetupError(
        f"no minekg project in {here} or its parents (no {MARKER} folder): "
        f"pass --project DIR or set ${ENVIRONMENT}"
    )
