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
    try:
        text = path.read_text(encoding="utf-8")
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
        _reject_duplicate_keys(path, node, ())
    return (_construct(node) if node is not None else None), node


def _construct(node: yaml.Node) -> Any:
    """The data of a composed tree, without parsing the text a second time."""
    loader = _Loader("")
    try:
        return loader.construct_document(node)
    finally:
        loader.dispose()


def _reject_duplicate_keys(path: Path, node: yaml.Node, loc: tuple[Any, ...]) -> None:
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = key_node.value
            if key in seen:
                raise InputError(
                    path,
                    key_node.start_mark.line + 1,
                    _dotted(loc + (key,)),
                    f"duplicate key (first at line {seen[key]})",
                )
            seen[key] = key_node.start_mark.line + 1
            _reject_duplicate_keys(path, value_node, loc + (key,))
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _reject_duplicate_keys(path, item, loc + (index,))


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
