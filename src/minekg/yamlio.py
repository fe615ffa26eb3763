"""YAML in, validated models out, with errors that point at the file, line and field.

PyYAML alone would silently keep the last of two duplicate keys and turn ``2024-13-01`` into a
crash; pydantic alone knows the field but not the line. Composing the node tree first gives both.
A file minekg edits for a person (``minekg review``, ``minekg promote``) goes through ruamel.yaml
instead, which keeps its comments, key order and quoting (:func:`round_trip`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from minekg.errors import InputError

Model = TypeVar("Model", bound=BaseModel)


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """A safe loader that keeps dates as text: minekg validates them itself, with partial dates.

    libyaml's parser (CSafeLoader) when PyYAML has it: composing a record in pure Python was the
    largest cost of loading a corpus (issue 12), and libyaml keeps the line of every node.
    """


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def round_trip() -> Any:
    """The YAML that edits a record in place: what is not changed is written as it was read."""
    from ruamel.yaml import YAML

    editor = YAML()
    editor.preserve_quotes = True
    # Never fold a long scalar: ruamel folds a plain scalar at a space even inside a run of
    # spaces, and a quote's double space ("of  additional") comes back single, off its source.
    editor.width = 1 << 30
    return editor


def load(path: Path) -> tuple[Any, yaml.Node | None]:
    """Parse one YAML file; return its data and its node tree (for line numbers)."""
    return parse(path, path.read_bytes())


def parse(path: Path, content: bytes) -> tuple[Any, yaml.Node | None]:
    """Parse ``content``, read from ``path`` (which errors name)."""
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(path, None, None, f"not UTF-8 text ({exc.reason})") from None
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        # The context mark is where the broken construct opened (an unclosed bracket), the
        # problem mark where the parser gave up, often a line later: point at the former.
        mark = getattr(exc, "context_mark", None) or getattr(exc, "problem_mark", None)
        context = getattr(exc, "context", None)
        problem = getattr(exc, "problem", None) or str(exc)
        line = mark.line + 1 if mark else None
        detail = f"{problem} ({context})" if context else problem
        raise InputError(path, line, None, f"malformed YAML: {detail}") from None
    if node is not None:
        _Walk(path).check(node, (), 0)
    return (_construct(node) if node is not None else None), node


def _construct(node: yaml.Node) -> Any:
    """The data of a composed tree, without parsing the text a second time."""
    loader = _Loader("")
    try:
        return loader.construct_document(node)
    finally:
        loader.dispose()


class _Walk:
    """Refuse, with the line, what a record never needs and what would crash or hang later.

    Duplicate keys (PyYAML keeps the last silently); nesting deeper than any record's (which
    recursive aliases such as ``&a [*a]`` make endless, and deep brackets make the constructor
    and pydantic recurse past Python's limit); aliases that repeat more values than a person
    would ever share by alias ("billion laughs": nine aliases nine deep are 387 million values,
    composed in a moment and walked for ever); explicit tags (``!!python/object``, ``!!binary``,
    ``!!timestamp 2024-13-45``), which the safe constructor refuses or fails on with no line;
    and numbers too long to be one (Python refuses to read an int of over 4,300 digits).
    """

    MAX_DEPTH = 40
    MAX_REPEATS = 10_000  # values reached again through an alias
    MAX_NUMBER = 60  # characters
    PLAIN = {"tag:yaml.org,2002:str", "tag:yaml.org,2002:seq", "tag:yaml.org,2002:map"}

    def __init__(self, path: Path):
        self.path, self.resolver = path, _Loader("")
        self.seen: set[int] = set()
        self.repeats = 0

    def check(self, node: yaml.Node, loc: tuple[Any, ...], depth: int) -> None:
        if depth > self.MAX_DEPTH:
            self._refuse(node, loc, f"nested more than {self.MAX_DEPTH} deep (a recursive alias?)")
        if id(node) in self.seen:
            self.repeats += 1
            if self.repeats > self.MAX_REPEATS:
                problem = f"aliases repeat over {self.MAX_REPEATS:,} values (an alias bomb?)"
                self._refuse(node, loc, problem)
        self.seen.add(id(node))
        if isinstance(node, yaml.ScalarNode):
            self._check_scalar(node, loc)
        elif node.tag not in self.PLAIN:
            self._refuse(node, loc, f"YAML tag {node.tag} is not allowed in a record")
        elif isinstance(node, yaml.MappingNode):
            seen: dict[str, int] = {}
            for key_node, value_node in node.value:
                if not isinstance(key_node, yaml.ScalarNode):
                    self._refuse(key_node, loc, "a key must be a plain name, not a list or mapping")
                key = key_node.value
                here = loc + (key,)
                if key in seen:
                    problem = f"duplicate key (first at line {seen[key]})"
                    self._refuse(key_node, here, problem)
                seen[key] = key_node.start_mark.line + 1
                self.check(key_node, here, depth + 1)
                self.check(value_node, here, depth + 1)
        else:
            for index, item in enumerate(node.value):
                self.check(item, loc + (index,), depth + 1)

    def _check_scalar(self, node: yaml.ScalarNode, loc: tuple[Any, ...]) -> None:
        implicit = (
            self.resolver.resolve(yaml.ScalarNode, node.value, (True, False))
            if not node.style  # plain: None from PyYAML, "" from libyaml
            else "tag:yaml.org,2002:str"
        )
        if node.tag != implicit:
            self._refuse(node, loc, f"YAML tag {node.tag} is not allowed in a record")
        numeric = implicit in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float")
        if numeric and len(node.value) > self.MAX_NUMBER:
            self._refuse(node, loc, f"a number of {len(node.value):,} characters")

    def _refuse(self, node: yaml.Node, loc: tuple[Any, ...], problem: str) -> None:
        raise InputError(self.path, node.start_mark.line + 1, _dotted(loc) or None, problem)


def line_of(node: yaml.Node | None, loc: tuple[Any, ...]) -> int | None:
    """The line of the deepest node along ``loc`` (a pydantic error location)."""
    line = node.start_mark.line + 1 if node is not None else None
    for step in loc:
        if isinstance(node, yaml.MappingNode):
            node = next((v for k, v in node.value if k.value == step), None)
        elif (
            isinstance(node, yaml.SequenceNode) and isinstance(step, int) and step < len(node.value)
        ):
            node = node.value[step]
        else:
            break
        if node is None:
            break
        line = node.start_mark.line + 1
    return line


def _dotted(loc: tuple[Any, ...]) -> str:
    return ".".join(str(step) for step in loc)


def validate(
    model: type[Model], data: Any, path: Path, node: yaml.Node | None, loc: tuple[Any, ...] = ()
) -> Model:
    """Validate ``data`` (found at ``loc`` in the file) as ``model``; errors name file and line."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        first = errors[0]
        where = loc + tuple(
            step
            for step in first["loc"]
            if not isinstance(step, str) or not step.startswith("function-")
        )
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise InputError(
            path, line_of(node, where), _dotted(where) or model.__name__, first["msg"] + more
        ) from None


def error_at(path: Path, node: yaml.Node | None, loc: tuple[Any, ...], problem: str) -> InputError:
    """An error about the value at ``loc``, e.g. an unknown entity key found after validation."""
    return InputError(path, line_of(node, loc), _dotted(loc), problem)
