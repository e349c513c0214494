"""YAML loading that remembers the line of every mapping, so errors can point at it."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from .errors import SourceError


class Record(dict):
    """A YAML mapping that knows the file and 1-based line it came from."""

    file: str = ""
    line: int = 0
    key_lines: dict[str, int]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.key_lines = {}

    def where(self) -> str:
        return f"{self.file}:{self.line}"

    def line_of(self, key: str) -> int:
        """The line of one key (a block mapping spreads its keys over many lines)."""
        return self.key_lines.get(key, self.line)


# libyaml's parser (when PyYAML has it) gives the same nodes and marks ~5x faster; a build
# reads every report's YAML, so this is a measurable share of a report's cost.
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _LineLoader(_SafeLoader):  # type: ignore[misc, valid-type]
    """SafeLoader whose mappings are :class:`Record` objects carrying their line."""


def _construct_record(loader: _LineLoader, node: yaml.MappingNode) -> Record:
    loader.flatten_mapping(node)
    record = Record()
    record.line = node.start_mark.line + 1
    record.file = loader.name  # type: ignore[attr-defined]
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in record:
            raise SourceError(record.file, key_node.start_mark.line + 1, f"duplicate key {key!r}")
        record[key] = loader.construct_object(value_node, deep=True)
        if isinstance(key, str):
            record.key_lines[key] = key_node.start_mark.line + 1
    return record


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_record)
# Dates stay strings: the mapping decides their datatype, and YAML's own date guessing
# would turn "2024" sections into integers' cousins.
_LineLoader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load_yaml(path: Path, display_name: str | None = None) -> Any:
    """Parse a YAML file; syntax errors become :class:`SourceError` with the line."""
    name = display_name or str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise SourceError(name, None, f"not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    loader = _LineLoader(text)
    loader.name = name  # type: ignore[attr-defined]
    try:
        return loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        raise SourceError(name, line, f"YAML syntax: {exc.problem}") from exc
    finally:
        loader.dispose()
