"""A WAV file written as 16-bit PCM arrives (travisvn's SSE deltas), sizes patched at the end."""

from __future__ import annotations

import struct
from pathlib import Path
from types import TracebackType
from typing import BinaryIO


class WavWriter:
    """`with WavWriter(path, rate, channels, bits) as wav: wav.write(pcm)`."""

    def __init__(self, path: Path, sample_rate: int, channels: int = 1, bits: int = 16) -> None:
        self.sample_rate, self.channels, self.bits = sample_rate, channels, bits
        self.frames_bytes = 0
        self._file: BinaryIO = path.open("wb")
        self._file.write(self._header())

    def _header(self) -> bytes:
        block = self.channels * self.bits // 8
        return (b"RIFF" + struct.pack("<I", 36 + self.frames_bytes) + b"WAVEfmt "
                + struct.pack("<IHHIIHH", 16, 1, self.channels, self.sample_rate,
                              self.sample_rate * block, block, self.bits)
                + b"data" + struct.pack("<I", self.frames_bytes))

    def write(self, pcm: bytes) -> None:
        self._file.write(pcm)
        self.frames_bytes += len(pcm)

    @property
    def seconds(self) -> float:
        return self.frames_bytes / (self.sample_rate * self.channels * self.bits // 8)

    def close(self) -> None:
        if self._file.closed:
            return
        self._file.seek(0)
        self._file.write(self._header())
        self._file.close()

    def __enter__(self) -> WavWriter:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.close()
