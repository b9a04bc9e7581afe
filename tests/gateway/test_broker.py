"""The embedded folder broker never lets a reader see a half-written message."""

from __future__ import annotations

import builtins
from pathlib import Path
from typing import Any

import pytest
from kombu import Connection

from gateway import broker


def _connection(folder: Path) -> Connection:
    broker.register()
    options = {
        "data_folder_in": str(folder),
        "data_folder_out": str(folder),
        "store_processed": False,
    }
    return Connection(f"{broker.SCHEME}://localhost//", transport_options=options)


def test_messages_are_written_under_a_hidden_name_then_renamed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    written: list[str] = []
    real_open = builtins.open

    def recording_open(file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        if "w" in mode and str(file).startswith(str(tmp_path)):
            written.append(Path(file).name)
        return real_open(file, mode, *args, **kwargs)

    with _connection(tmp_path) as conn:
        queue = conn.SimpleQueue("jobs")
        monkeypatch.setattr(builtins, "open", recording_open)
        for i in range(3):
            queue.put({"task": "pipeline.advance", "id": f"s-{i}"})
        monkeypatch.setattr(builtins, "open", real_open)
        # A reader only takes names ending in ".<queue>.msg": none was ever open for writing.
        assert written and all(name.endswith(".msg.part") for name in written)
        got = []
        for _ in range(3):
            message = queue.get(timeout=2)
            got.append(message.payload["id"])
            message.ack()
        assert sorted(got) == ["s-0", "s-1", "s-2"]
        assert not any(tmp_path.glob("*.part"))
        queue.close()
