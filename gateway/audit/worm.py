"""A write-once folder for audit checkpoints: files are created exclusively and never rewritten.

The folder lives outside the database, so whoever administers the database
cannot move it. Each file is written under a temporary name, synced, made
read-only and linked to its final name, which fails if that name exists:
a checkpoint number is taken once. For real immutability point the folder at
storage that enforces it (an object-lock bucket mounted read-only-after-write,
``chattr +a``); this class never deletes or replaces a file either way.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from gateway.audit.errors import CheckpointExists, CheckpointStoreError

__all__ = ["WormFolder"]

_NAME = re.compile(r"^checkpoint-(\d{8})\.json$")


class WormFolder:
    """Checkpoint files ``checkpoint-00000001.json`` … in one folder."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)

    def path_of(self, number: int) -> Path:
        return self.directory / f"checkpoint-{number:08d}.json"

    def numbers(self) -> list[int]:
        """The checkpoint numbers present, ascending."""
        if not self.directory.is_dir():
            return []
        found = (_NAME.match(p.name) for p in self.directory.iterdir())
        return sorted(int(m.group(1)) for m in found if m)

    def read(self, number: int) -> bytes:
        try:
            return self.path_of(number).read_bytes()
        except OSError as exc:
            raise CheckpointStoreError(f"cannot read checkpoint {number}: {exc.strerror}") from exc

    def write_once(self, number: int, data: bytes) -> Path:
        """Create checkpoint ``number``; refuse if it exists. Returns the path."""
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise CheckpointStoreError(f"cannot create {self.directory}: {exc.strerror}") from exc
        final = self.path_of(number)
        temp = self.directory / f".{final.name}.{os.getpid()}.tmp"
        try:
            fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o444)
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            # link() fails when the final name exists: no checkpoint is ever overwritten.
            os.link(temp, final)
        except FileExistsError as exc:
            raise CheckpointExists(
                f"checkpoint {number} already exists in {self.directory}"
            ) from exc
        except OSError as exc:
            raise CheckpointStoreError(f"cannot write checkpoint {number}: {exc.strerror}") from exc
        finally:
            temp.unlink(missing_ok=True)
        return final
