"""The embedded broker: kombu's folder transport, with messages written atomically.

kombu's own folder transport writes a message file in place, so a worker that
lists the folder at the wrong moment reads it half-written and crashes on the
JSON. Here a message is written under a name no reader looks for and renamed
into place once complete (``os.replace`` is atomic on one filesystem).
"""

from __future__ import annotations

import os
import uuid
from time import monotonic
from typing import Any

from kombu.transport import TRANSPORT_ALIASES, filesystem
from kombu.utils.encoding import str_to_bytes
from kombu.utils.json import dumps

__all__ = ["SCHEME", "Channel", "Transport", "register"]

SCHEME = "gwfs"


class Channel(filesystem.Channel):
    def _put(self, queue: str, payload: Any, **kwargs: Any) -> None:  # type: ignore[override]
        name = f"{round(monotonic() * 1000)}_{uuid.uuid4()}.{queue}.msg"
        final = os.path.join(self.data_folder_out, name)
        # Readers pick files whose name ends in ".<queue>.msg"; ".part" keeps this one hidden.
        partial = final + ".part"
        try:
            with open(partial, "wb") as fh:
                fh.write(str_to_bytes(dumps(payload)))
            os.replace(partial, final)
        except OSError as exc:
            raise filesystem.ChannelError(
                f"cannot add a message to {self.data_folder_out}"
            ) from exc


class Transport(filesystem.Transport):
    Channel = Channel


def register() -> None:
    """Make ``gwfs://`` name this transport in every process that imports the Celery app."""
    TRANSPORT_ALIASES[SCHEME] = f"{__name__}:Transport"
