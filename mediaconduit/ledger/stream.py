"""A `TextStream` whose call is recorded in the ledger when it ends or is closed."""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING

from mediaconduit.worker.calls import Call, TextStream

if TYPE_CHECKING:
    from mediaconduit.ledger.recording import Recording


class RecordedStream(TextStream):
    """Recorded with `.usage`/`.cost` at its end, as failed on an error, cancelled if closed."""

    def __init__(self, call: Call, recording: Recording) -> None:
        super().__init__(call)
        self._recording = recording

    def __next__(self) -> str:
        try:
            return super().__next__()
        except StopIteration:
            self._recording.done_stream(self.usage, self.cost, self.text)
            raise
        except BaseException as error:
            self._recording.failed(error)
            raise

    def close(self) -> None:
        super().close()
        self._recording.closed()

    def __del__(self) -> None:
        super().__del__()
        with contextlib.suppress(Exception):
            self._recording.closed()
