"""Inputs, resume keys and results.jsonl, without a provider."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from mediaconduit.batch import BatchInputError, expand, item_key, latest, read_records
from mediaconduit.batch.results import ResultsFile
from mediaconduit.batch.work import Job, delay, with_retries
from mediaconduit.sdk.errors import InvalidInputError, ProviderCrashedError, RateLimitError


def test_files_folders_and_globs_expand_in_order(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    for name in ("a/2.txt", "a/1.txt", "a/.hidden", "b.txt", "c.md"):
        (tmp_path / name).write_text(name)
    items = expand([tmp_path / "a", str(tmp_path / "*.txt"), tmp_path / "c.md"], {"k": 1})
    assert [Path(i.input).name for i in items] == ["1.txt", "2.txt", "b.txt", "c.md"]
    assert all(i.params == {"k": 1} and i.path is not None for i in items)


def test_the_output_folder_is_never_an_input(tmp_path: Path) -> None:
    (tmp_path / "in.txt").write_text("x")
    (tmp_path / "out" / "outputs").mkdir(parents=True)
    (tmp_path / "out" / "outputs" / "old.txt").write_text("y")
    items = expand([tmp_path], exclude=tmp_path / "out")
    assert [Path(i.input).name for i in items] == ["in.txt"]


def test_jsonl_rows_resolve_files_beside_them_and_merge_params(tmp_path: Path) -> None:
    (tmp_path / "clip.mp4").write_bytes(b"v")
    rows = tmp_path / "rows.jsonl"
    rows.write_text('{"input": "clip.mp4", "params": {"time": 2}}\n\n'
                    '{"input": "just some text"}\n')
    first, second = expand([rows], {"time": 0, "format": "png"})
    assert first.input == str(tmp_path / "clip.mp4")
    assert first.params == {"time": 2, "format": "png"}
    assert second.input == "just some text" and second.path is None
    assert second.origin == f"{rows} line 3"


@pytest.mark.parametrize(("line", "message"), [
    ("{not json", "line 1: not JSON"),
    ('{"params": {}}', 'line 1: a row is an object with an "input" string'),
    ('{"input": "x", "params": [1]}', 'line 1: "params" must be an object'),
])
def test_a_bad_row_names_its_line(tmp_path: Path, line: str, message: str) -> None:
    rows = tmp_path / "rows.jsonl"
    rows.write_text(line + "\n")
    with pytest.raises(BatchInputError, match=message):
        expand([rows])


def test_missing_inputs_and_empty_globs_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(BatchInputError, match="no such file or folder"):
        expand([tmp_path / "nope.mp4"])
    with pytest.raises(BatchInputError, match="the glob matches no file"):
        expand([str(tmp_path / "*.mp4")])


def test_digest_is_of_the_content_and_keys_change_with_each_part(tmp_path: Path) -> None:
    one, two = tmp_path / "1.bin", tmp_path / "2.bin"
    one.write_bytes(b"same")
    two.write_bytes(b"same")
    a, b = expand([one, two])
    assert a.digest() == b.digest()  # a copy under another name is the same input
    key = item_key(a.digest(), {"t": 1}, "c1", "m")
    assert key == item_key(b.digest(), {"t": 1}, "c1", "m")
    others = {item_key(a.digest(), {"t": 2}, "c1", "m"), item_key(a.digest(), {"t": 1}, "c2", "m"),
              item_key(a.digest(), {"t": 1}, "c1", "n"), item_key("other", {"t": 1}, "c1", "m")}
    assert key not in others and len(others) == 4


def test_results_append_whole_lines_and_compact_to_one_per_key(tmp_path: Path) -> None:
    results = ResultsFile(tmp_path)
    results.append({"key": "a", "status": "failed"})
    results.append({"key": "b", "status": "done"})
    results.append({"key": "a", "status": "done"})
    results.close()
    lines = (tmp_path / "results.jsonl").read_text().splitlines()
    assert [json.loads(x) for x in lines] == [{"key": "a", "status": "done"},
                                              {"key": "b", "status": "done"}]
    assert ResultsFile(tmp_path).done_keys() == {"a", "b"}


def test_a_torn_last_line_is_skipped_and_the_next_line_starts_fresh(tmp_path: Path) -> None:
    path = tmp_path / "results.jsonl"
    path.write_text('{"key": "a", "status": "done"}\n{"key": "b", "sta')
    assert list(latest(path)) == ["a"]
    results = ResultsFile(tmp_path)
    results.append({"key": "c", "status": "done"})
    results.close()
    assert [r["key"] for r in read_records(path)] == ["a", "c"]


def test_backoff_doubles_honours_retry_after_and_is_capped() -> None:
    assert [delay(ProviderCrashedError(), n, 0.5, 30) for n in range(4)] == [0.5, 1, 2, 4]
    assert delay(RateLimitError(retry_after=7.5), 0, 0.5, 30) == 7.5
    assert delay(RateLimitError(retry_after=700), 0, 0.5, 30) == 30


def test_transient_errors_are_retried_and_others_are_not() -> None:
    job = Job("spec", "model", "out", retries=2, backoff=1, backoff_cap=10)
    slept: list[float] = []
    calls: list[int] = []

    def flaky() -> str:
        calls.append(1)
        if len(calls) < 3:
            raise ProviderCrashedError("gone")
        return "ok"

    attempts = [0]
    assert with_retries(flaky, job, attempts, slept.append) == "ok"
    assert attempts == [3] and slept == [1, 2]

    def invalid() -> str:
        raise InvalidInputError("no")

    with pytest.raises(InvalidInputError):
        with_retries(invalid, job, attempts, slept.append)
    assert attempts == [1]


def test_ray_is_imported_by_the_ray_engine_only() -> None:
    code = ("import sys, mediaconduit, mediaconduit.batch, mediaconduit.batch.local, "
            "mediaconduit.cli; print(sorted(m for m in sys.modules if m.split('.')[0] == 'ray'))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=120).stdout
    assert out.strip() == "[]"
