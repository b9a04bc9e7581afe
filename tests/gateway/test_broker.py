"""The embedded folder broker never hands a reader a half-written message."""

from __future__ import annotations

from pathlib import Path

from kombu import Connection

from gateway import broker


def _connection(folder: Path) -> Connection:
    broker.register()
    options = {"data_folder_in": str(folder), "data_folder_out": str(folder), "store_processed": False}
    return Connection(f"{broker.SCHEME}://localhost//", transport_options=options)


def test_a_message_being_written_is_invisible_and_a_complete_one_arrives(tmp_path: Path) -> None:
    with _connection(tmp_path) as conn:
        queue = conn.SimpleQueue("jobs")
        # What a writer leaves while it is still writing: the old transport would read this.
        (tmp_path / f"1_{'0' * 8}.jobs.msg.part").write_bytes(b'{"body": "half')
        queue.put({"task": "pipeline.advance", "id": "s-1"})
        message = queue.get(timeout=2)
        assert message.payload == {"task": "pipeline.advance", "id": "s-1"}
        message.ack()
        assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".msg")] == []
        assert any(p.name.endswith(".part") for p in tmp_path.iterdir())
        queue.close()
