from __future__ import annotations

import pytest

from mediaconduit.manifest import yamlnodes
from mediaconduit.manifest.yamlnodes import MAX_BYTES, MAX_DEPTH, YamlError, format_path, load


def refused(text: str) -> YamlError:
    with pytest.raises(YamlError) as info:
        load(text)
    return info.value


@pytest.mark.parametrize(("path", "text"), [
    ((), ""),
    (("id",), "id"),
    (("models", 1, "pricing", "request"), "models[1].pricing.request"),
    (("capabilities", 0), "capabilities[0]"),
    ((0, "a"), "[0].a"),
])
def test_format_path(path: yamlnodes.NodePath, text: str) -> None:
    assert format_path(path) == text


def test_lines_point_at_values_and_collections_at_their_keys() -> None:
    doc = load("id: x\nmodels:\n  - id: a\n    pricing: {request: 1}\n  - id: b\ncaps:\n  - one\n")
    assert doc.data == {"id": "x", "models": [{"id": "a", "pricing": {"request": 1}}, {"id": "b"}],
                        "caps": ["one"]}
    assert doc.lines[("id",)] == 1
    assert doc.lines[("models",)] == 2
    assert doc.lines[("models", 0)] == 3
    assert doc.lines[("models", 0, "pricing", "request")] == 4
    assert doc.lines[("models", 1, "id")] == 5
    assert doc.lines[("caps", 0)] == 7


def test_texts_keep_the_source_of_non_string_scalars() -> None:
    doc = load("version: 1.10\ncount: 007\nflag: yes\nname: plain\nnothing: ~\n")
    assert doc.data["version"] == 1.1
    assert doc.texts[("version",)] == "1.10"
    assert doc.texts[("flag",)] == "yes"
    assert ("name",) not in doc.texts
    assert ("nothing",) not in doc.texts


def test_timestamps_and_binary_stay_text() -> None:
    doc = load("when: 2001-12-14\nblob: !!binary aGVsbG8=\n")
    assert doc.data == {"when": "2001-12-14", "blob": "aGVsbG8="}


def test_keys_are_always_text() -> None:
    assert load("1: a\non: b\n~: c\n").data == {"1": "a", "on": "b", "~": "c"}


@pytest.mark.parametrize("text", [
    "!!python/object/apply:os.system ['echo hi']",
    "a: !!python/name:os.system\n",
    "a: !!python/object/new:dict {}\n",
    "a: !custom thing\n",
    "a: !!set {x, y}\n",
    "a: !!omap [{x: 1}]\n",
    "? !!python/tuple [1, 2]\n: value\n",
])
def test_object_tags_are_refused_with_their_line(text: str) -> None:
    error = refused(text)
    assert "not allowed" in error.message
    assert error.line == 1


def test_refused_tags_carry_their_path() -> None:
    assert refused("a:\n  - ok\n  - !!python/name:os.system\n").path == ("a", 1)


def test_billion_laughs_is_refused() -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for level in range(1, 9):
        name, previous = chr(97 + level), chr(96 + level)
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 9) + "]")
    error = refused("\n".join(lines))
    assert "10,000" in error.message
    assert error.line is not None


def test_aliases_within_the_limit_expand() -> None:
    doc = load("base: &b {x: 1}\none: *b\ntwo: *b\n")
    assert doc.data["one"] == doc.data["two"] == {"x": 1}
    assert doc.data["one"] is not doc.data["two"]


def test_too_many_literal_nodes_are_refused() -> None:
    assert "10,000" in refused("[" + ", ".join(["1"] * 20_000) + "]").message


@pytest.mark.parametrize("text", ["&a [*a]", "a: &a {<<: *a}", "a: &a {b: [*a]}"])
def test_recursive_aliases_are_refused(text: str) -> None:
    assert "loop" in refused(text).message


@pytest.mark.parametrize("text", [
    "[" * 200_000, "{a: " * 50_000, "- " * 1000, "[" * 101 + "]" * 101,
])
def test_deep_nesting_is_refused(text: str) -> None:
    assert f"more than {MAX_DEPTH} levels" in refused(text).message


def test_nesting_up_to_the_limit_is_fine() -> None:
    assert load("[" * 60 + "]" * 60).data is not None


def test_oversized_text_is_refused_before_parsing() -> None:
    error = refused("[" + "x" * MAX_BYTES)
    assert "256 KiB" in error.message


def test_decode_refuses_oversized_and_non_utf8_bytes() -> None:
    with pytest.raises(YamlError, match="256 KiB"):
        yamlnodes.decode(b"a" * (MAX_BYTES + 1))
    with pytest.raises(YamlError) as info:
        yamlnodes.decode(b"id: x\nname: \xff\xfe\n")
    assert info.value.line == 2
    assert "UTF-8" in info.value.message
    assert yamlnodes.decode("\ufeffid: x".encode()) == "id: x"


def test_duplicate_keys_are_reported_with_both_lines() -> None:
    doc = load("id: a\nname: x\nid: b\nmodels:\n  - {id: m, id: n}\n")
    assert [(issue.path, issue.line) for issue in doc.issues] == [
        (("id",), 3), (("models", 0, "id"), 5),
    ]
    assert "first on line 1" in doc.issues[0].message
    assert doc.data["id"] == "a"


def test_merge_keys_follow_yaml_precedence() -> None:
    doc = load("a: &a {x: 1, y: 1}\nb: &b {y: 2, z: 2}\nc:\n  <<: [*a, *b]\n  x: 3\n")
    assert doc.data["c"] == {"x": 3, "y": 1, "z": 2}
    assert doc.issues == ()


def test_merged_keys_are_not_duplicates_and_keep_the_own_value() -> None:
    doc = load("a: &a {version: 1.0}\nb:\n  <<: *a\n  version: '2'\n")
    assert doc.data["b"] == {"version": "2"}
    assert ("b", "version") not in doc.texts


def test_bad_merges_are_refused() -> None:
    assert "'<<'" in refused("a: {<<: 1}\n").message


@pytest.mark.parametrize(("text", "line"), [
    ("id: ollama\ncapabilities: [text-to-text\nentry: x:Y\n", 3),
    ("a: b: c\n", 1),
    ("a: 'unterminated\n", 2),
    ("a: *nowhere\n", 1),
    ("a: 1\n---\nb: 2\n", 2),
    ("a:\n\tb: 1\n", 2),
])
def test_syntax_errors_name_the_line(text: str, line: int) -> None:
    error = refused(text)
    assert error.message.startswith("invalid YAML")
    assert error.line == line


def test_complex_keys_are_refused() -> None:
    assert "plain text" in refused("? [a, b]\n: value\n").message


def test_characters_yaml_refuses_name_the_line() -> None:
    error = refused("id: x\nname: \x00\n")
    assert error.line == 2


@pytest.mark.parametrize("text", [
    "a: !!int abc", "a: !!float x", "a: !!bool maybe", "!!int", "!!int '-'", "!!int 0x", "!!float",
])
def test_explicit_scalar_tags_must_match(text: str) -> None:
    assert "is not a valid" in refused(text).message


def test_empty_documents_are_none() -> None:
    assert load("").data is None
    assert load("# only a comment\n").data is None
