"""The local engine through the real host: dev-mode providers, real workers, real FFmpeg."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import pytest

from mediaconduit.batch import BatchError, run
from mediaconduit.cli import main
from mediaconduit.sdk.errors import ModelNotFoundError
from tests.batch.common import (
    CLIP,
    FAST,
    FFMPEG,
    FLAKY,
    TOOLKIT,
    check_frames,
    frame_rows,
    records,
    statuses,
    text_files,
)


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One cache for the module: each provider's environment is built once."""
    return tmp_path_factory.mktemp("batch-cache")


def test_items_spread_over_n_workers_and_a_rerun_does_nothing(tmp_path: Path,
                                                              cache: Path) -> None:
    inputs = text_files(tmp_path / "in", [f"text {i}" for i in range(12)])
    out = tmp_path / "out"
    first = run([tmp_path / "in"], out=out, provider=TOOLKIT, model="echo", cache_dir=cache,
                concurrency=3, **FAST)
    assert (first.done, first.failed, first.skipped, first.total) == (12, 0, 0, 12)
    got = records(out)
    by_input = {r["input"]: r for r in got}
    for path in inputs:
        (name,) = by_input[str(path)]["outputs"]
        assert (out / name).read_text() == path.read_text()
        assert name.startswith(f"outputs/{path.stem}-")
    again = run([tmp_path / "in"], out=out, provider=TOOLKIT, model="echo", cache_dir=cache)
    assert (again.done, again.failed, again.skipped) == (0, 0, 12) and again.nothing_to_do
    assert len(records(out)) == 12


def test_items_spread_over_the_workers(tmp_path: Path, cache: Path) -> None:
    rows = [f'{{"input": "0.4", "params": {{"n": {i}}}}}' for i in range(12)]
    (tmp_path / "rows.jsonl").write_text("\n".join(rows))
    summary = run([tmp_path / "rows.jsonl"], out=tmp_path / "out", provider=TOOLKIT,
                  model="slow", cache_dir=cache, concurrency=3)
    assert summary.done == 12
    slots = [r["worker"]["slot"] for r in records(tmp_path / "out")]
    assert set(slots) == {0, 1, 2}, slots


def test_a_changed_param_or_input_runs_again(tmp_path: Path, cache: Path) -> None:
    text_files(tmp_path / "in", ["a", "b"])
    out = tmp_path / "out"
    run([tmp_path / "in"], out=out, provider=TOOLKIT, model="echo", cache_dir=cache)
    (tmp_path / "in" / "001.txt").write_text("b, edited")
    edited = run([tmp_path / "in"], out=out, provider=TOOLKIT, model="echo", cache_dir=cache)
    assert (edited.done, edited.skipped) == (1, 1)
    with_param = run([tmp_path / "in"], out=out, provider=TOOLKIT, model="echo",
                     cache_dir=cache, params={"style": "loud"})
    assert (with_param.done, with_param.skipped) == (2, 0)
    assert all(r["params"] == {"style": "loud"} for r in records(out)[-2:])


def test_failures_are_recorded_with_reasons_and_never_stop_the_batch(tmp_path: Path,
                                                                     cache: Path) -> None:
    text_files(tmp_path / "in", ["rate", "invalid", "boom", "rate", "invalid", "boom"])
    out = tmp_path / "out"
    summary = run([tmp_path / "in"], out=out, provider=TOOLKIT, model="fail", cache_dir=cache,
                  retries=2, **FAST)
    assert (summary.done, summary.failed, summary.duplicates) == (0, 3, 3)
    errors = {r["error"]["type"]: r for r in records(out)}
    assert set(errors) == {"RateLimitError", "InvalidInputError", "ProviderBugError"}
    assert errors["RateLimitError"]["attempts"] == 3  # transient: tried 1 + 2 times
    assert "slow down" in errors["RateLimitError"]["error"]["message"]
    assert errors["InvalidInputError"]["attempts"] == 1  # not worth another try
    assert "bad input: try another" in errors["InvalidInputError"]["error"]["message"]
    assert errors["ProviderBugError"]["attempts"] == 1
    assert all(r["status"] == "failed" and r["outputs"] == [] for r in records(out))


def test_transient_errors_and_crashes_are_retried_until_they_pass(tmp_path: Path,
                                                                  cache: Path) -> None:
    state = tmp_path / "state"
    state.mkdir()
    text_files(tmp_path / "in", ["one", "two", "three"])
    for how in ("unavailable", "crash"):
        out = tmp_path / f"out-{how}"
        (state / how).mkdir()
        summary = run([tmp_path / "in"], out=out, provider=FLAKY, model="flaky",
                      cache_dir=cache, concurrency=1, retries=2, **FAST,
                      params={"state": str(state / how), "times": 2, "how": how})
        assert (summary.done, summary.failed) == (3, 0), summary.failures
        got = records(out)
        assert [r["attempts"] for r in got] == [3, 3, 3]
        assert [(out / r["outputs"][0]).read_text() for r in got] == ["ONE", "TWO", "THREE"]
        assert got[0]["usage"] == {"characters": 3}
        assert got[0]["cost"] == {"usd": "0.001", "estimated": False}


def test_a_rerun_retries_the_failed_items_only(tmp_path: Path, cache: Path) -> None:
    state = tmp_path / "state"
    state.mkdir()
    text_files(tmp_path / "in", ["ok", "no"])
    out = tmp_path / "out"
    (tmp_path / "in" / "000.txt").write_text("ok")
    params = {"state": str(state), "times": 1, "how": "invalid"}
    first = run([tmp_path / "in"], out=out, provider=FLAKY, model="flaky", cache_dir=cache,
                params=params)
    assert (first.done, first.failed) == (0, 2)
    second = run([tmp_path / "in"], out=out, provider=FLAKY, model="flaky", cache_dir=cache,
                 params=params)
    assert (second.done, second.failed, second.skipped) == (2, 0, 0)
    third = run([tmp_path / "in"], out=out, provider=FLAKY, model="flaky", cache_dir=cache,
                params=params)
    assert (third.done, third.skipped) == (0, 2)
    assert [r["status"] for r in records(out)] == ["done", "done"]  # compacted: one line each


def test_media_in_and_several_outputs_out(tmp_path: Path, cache: Path) -> None:
    images = tmp_path / "images"
    images.mkdir()
    (images / "a.png").write_bytes(b"\x89PNG first")
    out = tmp_path / "out"
    flipped = run([images], out=out, provider=TOOLKIT, model="flip", cache_dir=cache)
    assert flipped.done == 1
    (name,) = records(out)[0]["outputs"]
    assert (out / name).read_bytes() == b"\x89PNG first"[::-1] and name.endswith(".png")
    assert (images / "a.png").read_bytes() == b"\x89PNG first"  # the input is untouched
    rows = tmp_path / "rows.jsonl"
    rows.write_text('{"input": "3"}\n')
    several = run([rows], out=tmp_path / "several", provider=TOOLKIT, model="several",
                  cache_dir=cache)
    assert several.done == 1
    record = records(tmp_path / "several")[0]
    assert [Path(n).stem[-2:] for n in record["outputs"]] == ["-0", "-1", "-2"]
    assert [(tmp_path / "several" / n).read_bytes() for n in record["outputs"]] == [
        b"image 0", b"image 1", b"image 2"]
    assert record["usage"] == {"images": 3}


def test_an_unknown_model_fails_before_any_item(tmp_path: Path, cache: Path) -> None:
    text_files(tmp_path / "in", ["a"])
    with pytest.raises(ModelNotFoundError):
        run([tmp_path / "in"], out=tmp_path / "out", provider=TOOLKIT, model="nope",
            cache_dir=cache)
    assert not (tmp_path / "out" / "results.jsonl").exists()


def test_two_batches_never_write_one_folder(tmp_path: Path, cache: Path) -> None:
    text_files(tmp_path / "in", ["1.5", "0.01"])
    started, errors = threading.Event(), []

    def first() -> None:
        run([tmp_path / "in"], out=tmp_path / "out", provider=TOOLKIT, model="slow",
            cache_dir=cache, concurrency=1, on_start=lambda *_: started.set())

    thread = threading.Thread(target=first)
    thread.start()
    assert started.wait(60)
    try:
        run([tmp_path / "in"], out=tmp_path / "out", provider=TOOLKIT, model="echo",
            cache_dir=cache)
    except BatchError as e:
        errors.append(str(e))
    thread.join()
    assert errors and "another batch is writing to" in errors[0]


def test_routed_items_go_to_the_project_providers(tmp_path: Path, cache: Path) -> None:
    state = tmp_path / "state"
    state.mkdir()
    text_files(tmp_path / "in", ["alpha", "beta"])
    project = tmp_path / "mediaconduit.yaml"
    project.write_text(f"providers:\n  - {FLAKY}\n")
    options = {"to": "text", "project": project, "cache_dir": cache,
               "params": {"state": str(state)}}
    first = run([tmp_path / "in"], out=tmp_path / "out", **options)
    assert (first.done, first.failed) == (2, 0), first.failures
    got = records(tmp_path / "out")
    assert sorted((tmp_path / "out" / r["outputs"][0]).read_text() for r in got) == [
        "ALPHA", "BETA"]
    assert {(hop["provider"], hop["model"]) for r in got for hop in r["route"]} == {
        ("flaky", "flaky")}
    assert got[0]["to"] == "text" and got[0]["commit"].startswith("project-")
    assert run([tmp_path / "in"], out=tmp_path / "out", **options).nothing_to_do
    project.write_text(f"providers:\n  - {FLAKY}\nrouting:\n  allow_paid: false\n")
    edited = run([tmp_path / "in"], out=tmp_path / "out", **options)
    assert edited.done == 2  # another project: its routes may differ, so the items run again


def test_routing_needs_a_project_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text_files(tmp_path / "in", ["a"])
    monkeypatch.chdir(tmp_path)
    with pytest.raises(BatchError, match="give --project PATH"):
        run([tmp_path / "in"], out=tmp_path / "out", to="text")
    with pytest.raises(BatchError, match="not both"):
        run([tmp_path / "in"], out=tmp_path / "out", to="text", provider=TOOLKIT)


def test_cli_json_summary_and_exit_codes(tmp_path: Path, cache: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    text_files(tmp_path / "in", ["hello", "invalid"])
    args = ["batch", str(tmp_path / "in"), "--provider", TOOLKIT, "--model", "echo",
            "--out", str(tmp_path / "out"), "--cache-dir", str(cache), "-p", "n=3", "--json"]
    assert main(args) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["done"], data["failed"], data["skipped"]) == (2, 0, 0)
    assert data["results"] == str(tmp_path / "out" / "results.jsonl")
    assert records(tmp_path / "out")[0]["params"] == {"n": 3}
    assert main(args[:-1]) == 0
    assert "nothing to do: all 2 items are already done" in capsys.readouterr().out
    failing = ["batch", str(tmp_path / "in"), "--provider", TOOLKIT, "--model", "fail",
               "--out", str(tmp_path / "fail"), "--cache-dir", str(cache), "--retries", "0"]
    assert main(failing) == 1
    captured = capsys.readouterr()
    assert "0 done, 2 failed, 0 skipped" in captured.out
    assert "InvalidInputError: bad input: try another" in captured.err


def test_cli_needs_a_provider_and_model_or_a_target(tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["batch", str(tmp_path), "--out", str(tmp_path / "o")]) == 2
    assert "give --provider SPEC and --model ID" in capsys.readouterr().err
    assert main(["batch", str(tmp_path), "--out", str(tmp_path / "o"), "--to", "text",
                 "--model", "m"]) == 2
    assert "not both" in capsys.readouterr().err


@pytest.mark.slow
def test_200_frames_then_a_rerun_that_does_nothing(tmp_path: Path, cache: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    rows = frame_rows(tmp_path, 200)
    out = tmp_path / "out"
    summary = run([rows], out=out, provider=FFMPEG, model="extract-frame", cache_dir=cache)
    assert (summary.done, summary.failed, summary.skipped) == (200, 0, 0)
    check_frames(out, 200)
    args = ["batch", str(rows), "--provider", FFMPEG, "--model", "extract-frame",
            "--out", str(out), "--cache-dir", str(cache)]
    assert main(args) == 0
    assert "nothing to do: all 200 items are already done" in capsys.readouterr().out
    assert statuses(out) == {"done": 200}


@pytest.mark.slow
def test_five_broken_inputs_fail_with_their_reasons(tmp_path: Path, cache: Path) -> None:
    rows = frame_rows(tmp_path, 200, broken=5)
    out = tmp_path / "out"
    summary = run([rows], out=out, provider=FFMPEG, model="extract-frame", cache_dir=cache,
                  **FAST)
    assert (summary.done, summary.failed) == (195, 5)
    assert statuses(out) == {"done": 195, "failed": 5}
    failed = [r for r in records(out) if r["status"] == "failed"]
    messages = sorted(f"{r['error']['type']}: {r['error']['message']}" for r in failed)
    assert sum("moov atom not found" in m or "Invalid data" in m for m in messages) == 2
    assert sum("is beyond the end of" in m for m in messages) == 2
    assert any("'missing-2.mp4' is text (no such file)" in m for m in messages)
    assert all(m.startswith("InvalidInputError: ") for m in messages)
    assert [dict(f) for f in summary.failures] == [
        {"input": r["input"], "params": r["params"], "error": r["error"]} for r in failed]
    assert os.path.samefile(records(out)[0]["input"], CLIP)
