"""Opening a source file: counts bytes for the progress bar and hashes as it reads.

The SHA-256 is taken from the bytes the reader actually consumed, in the same
pass, so a re-import can be recognised (idempotency) without reading twice.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

__all__ = ["ByteSource", "Progress", "SourceFile"]

Progress = Callable[[int, int], None]  # (bytes read so far, total bytes)
ByteSource = IO[bytes] | io.RawIOBase  # what a reader consumes

_REPORT_EVERY = 1 << 20  # call the progress callback at most once per MiB


class SourceFile(io.RawIOBase):
    """A read-only binary file that hashes and reports progress as it is read."""

    def __init__(self, path: str | Path, *, progress: Progress | None = None) -> None:
        super().__init__()
        self.path = Path(path)
        self.total = self.path.stat().st_size
        self._fh = self.path.open("rb")
        self._sha = hashlib.sha256()
        self._progress = progress
        self._read = 0
        self._next_report = 0
        if progress is not None:
            progress(0, self.total)

    @property
    def bytes_read(self) -> int:
        return self._read

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        n = self._fh.readinto(buffer)
        if n:
            self._consumed(memoryview(buffer)[:n])
        return n or 0

    def read(self, size: int = -1) -> bytes:
        data = self._fh.read(size)
        if data:
            self._consumed(data)
        return data

    def _consumed(self, data: Any) -> None:
        self._sha.update(data)
        self._read += len(data)
        if self._progress is not None and (
            self._read >= self._next_report or self._read == self.total
        ):
            self._next_report = self._read + _REPORT_EVERY
            self._progress(self._read, self.total)

    def sha256(self) -> str:
        """Hex digest of the whole file; reads whatever the reader left unread."""
        while self.read(1 << 20):
            pass
        return self._sha.hexdigest()

    def close(self) -> None:
        # Wrappers (TextIOWrapper, BufferedReader) close their raw file when dropped; the
        # hash still needs the rest of the file then, so only release() closes it.
        pass

    def release(self) -> None:
        """Close the underlying file."""
        self._fh.close()
        super().close()
