"""Safe YAML loading for manifests: plain data plus the line of every value.

A manifest comes from a repository that may be hostile, so loading it:

- refuses a file over `MAX_BYTES` before parsing it;
- composes nodes with `yaml.SafeLoader` and builds the data itself, so a tag
  that would build an object (`!!python/object/apply:os.system`) is refused,
  never run, and only JSON-like data comes out (mappings with text keys,
  lists, text, numbers, booleans, null);
- counts the nodes the document has once its aliases are expanded, over the
  shared node graph with memoisation, and refuses more than `MAX_NODES`
  (a "billion laughs" file is refused in microseconds);
- reports duplicate mapping keys, and every syntax error with its line.

Timestamps and `!!binary` values stay as the text written in the file, mapping
keys are always text (`1:` is "1"), a duplicate key keeps its first value, and
merge keys (`<<: *base`) work as YAML 1.1 says. The node limit counts every
value of the expanded document, aliases or not, and nesting deeper than
`MAX_DEPTH` is refused (a manifest needs a handful of levels; PyYAML's
scanner slows down sharply on deep flow nesting).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any, NamedTuple

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

MAX_BYTES = 256 * 1024
MAX_NODES = 10_000
MAX_DEPTH = 100

Key = str | int
NodePath = tuple[Key, ...]

_TAG = "tag:yaml.org,2002:"
_SEQ, _MAP, _MERGE, _STR = (_TAG + name for name in ("seq", "map", "merge", "str"))
_AS_TEXT = {_TAG + name for name in ("str", "timestamp", "binary")}
_CONVERTED = {_TAG + name for name in ("null", "bool", "int", "float")}


class YamlError(Exception):
    """The document cannot be used at all; `line` is 1-based where known, `path` where found."""

    def __init__(self, message: str, line: int | None = None, path: NodePath = ()) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.path = path


class YamlIssue(NamedTuple):
    """A problem found while loading that does not stop it (a duplicate key)."""

    path: NodePath
    message: str
    line: int | None


class Document(NamedTuple):
    """A loaded document.

    `lines` maps a path to the line of its value (for a list or mapping that
    sits under a key: the key's line). `texts` holds the source text of every
    scalar that YAML did not read as a string (`version: 1.0` -> `"1.0"`).
    """

    data: Any
    lines: Mapping[NodePath, int]
    texts: Mapping[NodePath, str]
    issues: tuple[YamlIssue, ...]


def format_path(path: NodePath) -> str:
    """`("models", 1, "pricing")` -> `"models[1].pricing"`; `()` -> `""`."""
    text = ""
    for key in path:
        text += f"[{key}]" if isinstance(key, int) else f".{key}" if text else key
    return text


def _clip(text: str) -> str:
    return repr(text) if len(text) <= 60 else repr(text[:56] + "...")


def line_of(node: Node) -> int:
    return int(node.start_mark.line) + 1


def decode(data: bytes) -> str:
    """UTF-8 bytes (a BOM allowed) to text, or a `YamlError` naming the line."""
    if len(data) > MAX_BYTES:
        raise YamlError(_too_big())
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        byte = data[error.start]
        message = f"the file is not UTF-8 text (byte 0x{byte:02x}); save it as UTF-8"
        raise YamlError(message, line) from None


def load(text: str) -> Document:
    """Load one YAML document; raises `YamlError` for anything unusable."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        raise YamlError(_too_big())
    try:
        node = _compose(text)
        if node is not None:
            _expanded_size(node, {}, set())
        return _Builder().build(node)
    except RecursionError:
        raise YamlError(_too_deep()) from None


def _too_big() -> str:
    return f"the file is larger than 256 KiB ({MAX_BYTES:,} bytes), the most a manifest may have"


class _CountingLoader(yaml.SafeLoader):
    """A safe loader that gives up as soon as the document is too big or too deep."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.composed = 0
        self.depth = 0

    def fetch_flow_collection_start(self, token_class: Any) -> None:
        """Stop `[[[[...` in the scanner, which reads ahead before nodes are composed."""
        if self.flow_level >= MAX_DEPTH:
            raise YamlError(_too_deep(), self.line + 1)
        super().fetch_flow_collection_start(token_class)

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        self.composed += 1
        self.depth += 1
        try:
            if self.composed > MAX_NODES or self.depth > MAX_DEPTH:
                event = self.peek_event()  # type: ignore[no-untyped-call]
                message = _too_many() if self.composed > MAX_NODES else _too_deep()
                raise YamlError(message, event.start_mark.line + 1)
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


def _too_deep() -> str:
    return f"the document nests more than {MAX_DEPTH} levels deep; a manifest needs far fewer"


def _too_many() -> str:
    return f"the document has more than {MAX_NODES:,} values once its aliases are expanded"


def _compose(text: str) -> Node | None:
    loader = None
    try:
        loader = _CountingLoader(text)
        return loader.get_single_node()
    except yaml.MarkedYAMLError as error:
        raise YamlError(_syntax_message(error), _mark_line(error.problem_mark)) from None
    except yaml.reader.ReaderError as error:
        line = text.count("\n", 0, error.position) + 1
        raise YamlError(f"the file contains a character YAML does not allow ({error.reason} "
                        f"#x{error.character:04x}); is it a text file?", line) from None
    except yaml.YAMLError as error:
        raise YamlError(f"invalid YAML: {error}") from None
    finally:
        if loader is not None:
            loader.dispose()


def _mark_line(mark: Any) -> int | None:
    return None if mark is None else int(mark.line) + 1


def _syntax_message(error: yaml.MarkedYAMLError) -> str:
    if error.context and error.problem and error.problem.startswith("but "):
        return f"invalid YAML: {error.context}, {error.problem}"
    message = f"invalid YAML: {error.problem or error.context or 'cannot parse'}"
    line = _mark_line(error.context_mark)
    if error.problem and error.context and line is not None:
        message += f" ({error.context} that starts on line {line})"
    return message


def _children(node: Node) -> Iterator[Node]:
    if isinstance(node, SequenceNode):
        yield from node.value
    elif isinstance(node, MappingNode):
        for key, value in node.value:
            yield key
            yield value


def _expanded_size(node: Node, memo: dict[int, int], active: set[int]) -> int:
    """Nodes under `node` with aliases expanded; each shared node is counted once."""
    if id(node) in memo:
        return memo[id(node)]
    if id(node) in active:
        raise YamlError("an alias refers to a value that contains it; remove the loop",
                        line_of(node))
    active.add(id(node))
    size = 1 + sum(_expanded_size(child, memo, active) for child in _children(node))
    if size > MAX_NODES:
        raise YamlError(_too_many(), line_of(node))
    active.discard(id(node))
    memo[id(node)] = size
    return size


def _short_tag(tag: str) -> str:
    return "!!" + tag[len(_TAG):] if tag.startswith(_TAG) else tag


def _refuse_tag(node: Node, path: NodePath) -> YamlError:
    return YamlError(
        f"the tag {_short_tag(node.tag)} is not allowed in a manifest; remove it "
        "(a manifest holds plain data: mappings, lists, text, numbers, true/false)",
        line_of(node), path,
    )


class _Builder:
    """Turns a checked node graph into plain data, recording lines as it goes."""

    def __init__(self) -> None:
        self.lines: dict[NodePath, int] = {}
        self.texts: dict[NodePath, str] = {}
        self.issues: list[YamlIssue] = []
        self._scalars = yaml.SafeLoader("")

    def build(self, node: Node | None) -> Document:
        data = None if node is None else self.value(node, (), line_of(node))
        return Document(data, self.lines, self.texts, tuple(self.issues))

    def value(self, node: Node, path: NodePath, line: int) -> Any:
        self.lines[path] = line if isinstance(node, (MappingNode, SequenceNode)) else line_of(node)
        if isinstance(node, ScalarNode):
            return self.scalar(node, path)
        if isinstance(node, SequenceNode) and node.tag == _SEQ:
            items = enumerate(node.value)
            return [self.value(item, (*path, i), line_of(item)) for i, item in items]
        if isinstance(node, MappingNode) and node.tag == _MAP:
            return self.mapping(node, path)
        raise _refuse_tag(node, path)

    def scalar(self, node: ScalarNode, path: NodePath) -> Any:
        if node.tag in _AS_TEXT:
            return str(node.value)
        if node.tag not in _CONVERTED:
            raise _refuse_tag(node, path)
        construct: Callable[[Any, Node], Any] = self._scalars.yaml_constructors[node.tag]
        try:
            result = construct(self._scalars, node)
        except (ValueError, LookupError, ArithmeticError):
            message = f"{_clip(node.value)} is not a valid {_short_tag(node.tag)}"
            raise YamlError(message, line_of(node), path) from None
        if result is not None:
            self.texts[path] = str(node.value)
        return result

    def mapping(self, node: MappingNode, path: NodePath) -> dict[str, Any]:
        """Keys in priority order: the mapping's own, then merged ones (`<<`); first wins."""
        result: dict[str, Any] = {}
        seen: dict[str, int] = {}
        for key_node, value_node, own in self.pairs(node, path):
            key = self.key(key_node, path, seen if own else None)
            if key not in result:
                result[key] = self.value(value_node, (*path, key), line_of(key_node))
        return result

    def pairs(self, node: MappingNode, path: NodePath) -> Iterator[tuple[Node, Node, bool]]:
        merges = []
        for key, value in node.value:
            if key.tag == _MERGE:
                merges.append(value)
            else:
                yield key, value, True
        for merged in merges:
            for source in _merge_sources(merged, path):
                for key, value, _ in self.pairs(source, path):
                    yield key, value, False

    def key(self, node: Node, path: NodePath, seen: dict[str, int] | None) -> str:
        if node.tag not in _AS_TEXT | _CONVERTED | {_SEQ, _MAP}:
            raise _refuse_tag(node, path)
        if not isinstance(node, ScalarNode):
            raise YamlError("a mapping key must be plain text, not a list or mapping",
                            line_of(node), path)
        key = str(node.value)
        if seen is not None and key in seen:
            self.issues.append(YamlIssue(
                (*path, key),
                f"duplicate key {_clip(key)} (first on line {seen[key]}); "
                "a key may appear once in a mapping: remove or rename one",
                line_of(node),
            ))
        if seen is not None:
            seen.setdefault(key, line_of(node))
        return key


def _merge_sources(node: Node, path: NodePath) -> list[MappingNode]:
    """The mappings that `<<: *a` or `<<: [*a, *b]` merges, in priority order."""
    sources = node.value if isinstance(node, SequenceNode) else [node]
    for source in sources:
        if not isinstance(source, MappingNode):
            message = "'<<' must merge a mapping or a list of mappings"
            raise YamlError(message, line_of(source), path)
        if source.tag != _MAP:
            raise _refuse_tag(source, path)
    return list(sources)
