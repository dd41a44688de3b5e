"""What the batch tests share: providers, sample rows, reading results."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from tests.conftest import ROOT, TEST_PROVIDERS

TOOLKIT = str(TEST_PROVIDERS / "toolkit")
FLAKY = str(Path(__file__).parent / "flaky")
FFMPEG = str(ROOT / "providers" / "ffmpeg-provider")
CLIP = ROOT / "examples" / "clip.mp4"
CLIP_SECONDS = 2.0
PNG = b"\x89PNG\r\n\x1a\n"
#: backoff small enough that retries cost nothing
FAST = {"backoff": 0.001, "backoff_cap": 0.01}


def text_files(folder: Path, texts: list[str]) -> list[Path]:
    """One file per text, `<i>.txt`, holding exactly the text."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i, text in enumerate(texts):
        path = folder / f"{i:03d}.txt"
        path.write_text(text)
        paths.append(path)
    return paths


def frame_rows(folder: Path, count: int, broken: int = 0) -> Path:
    """`rows.jsonl`: `count` frame extractions of the sample clip, the last `broken` broken.

    Broken ones cycle through: a corrupt video file, a time past the end, a missing file.
    """
    folder.mkdir(parents=True, exist_ok=True)
    rows: list[dict[str, Any]] = [
        {"input": str(CLIP), "params": {"time": round(i * CLIP_SECONDS / count, 4)}}
        for i in range(count - broken)
    ]
    for i in range(broken):
        kind = i % 3
        if kind == 0:
            corrupt = folder / f"corrupt-{i}.mp4"
            corrupt.write_bytes(b"not a video at all " * (i + 1))
            rows.append({"input": corrupt.name, "params": {"time": 0}})
        elif kind == 1:
            rows.append({"input": str(CLIP), "params": {"time": 99 + i}})
        else:
            rows.append({"input": f"missing-{i}.mp4", "params": {"time": 0}})
    path = folder / "rows.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    return path


def records(out: Path) -> list[dict[str, Any]]:
    lines = (out / "results.jsonl").read_text().splitlines()
    return [json.loads(line) for line in lines]


def statuses(out: Path) -> Counter[str]:
    return Counter(r["status"] for r in records(out))


def check_frames(out: Path, expected: int) -> None:
    """`expected` done lines, each with one PNG output on disk, every key once."""
    done = [r for r in records(out) if r["status"] == "done"]
    assert len(done) == expected
    assert len({r["key"] for r in done}) == expected
    for record in done:
        (name,) = record["outputs"]
        assert (out / name).read_bytes()[:8] == PNG, name
        assert record["error"] is None and record["attempts"] == 1
        assert record["commit"], "the provider's commit (or dev revision) is recorded"
    frames = {(out / r["outputs"][0]).read_bytes() for r in done}
    # 50 frames in the clip: different times, different pictures
    assert len(frames) >= 0.8 * min(expected, 50)
