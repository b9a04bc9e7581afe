"""``gateway artefacts install`` with no folder: each set from its official download location.

A loopback mirror serves, under the official paths, zips built from the installed
artefacts the way the publishers pack them (one top folder, the set below its
root). Nothing leaves this machine.
"""

from __future__ import annotations

import io
import threading
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from typer.testing import CliRunner

from gateway.cli.artefacts import app
from schemas.artefacts import load_manifest, verify

SETS = ("sie-samples", "espd-4.1")  # small ones, with their download location in the manifest
runner = CliRunner()


@dataclass
class Mirror:
    url: str
    files: dict[str, bytes]
    ranges: list[str] = field(default_factory=list)
    missing: set[str] = field(default_factory=set)


def _zip_of(name: str, source: Path, *, tamper: str | None = None) -> bytes:
    aset = load_manifest().sets[name]
    assert aset.download is not None
    top = Path(urlsplit(aset.download["url"]).path).stem  # e.g. 59b9217: the repo-commit folder
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for rel in sorted(aset.files):
            data = (source / name / rel).read_bytes()
            if rel == tamper:
                data += b"\n<!-- altered -->"
            z.writestr(f"repo-{top}/{aset.download['root']}{rel}", data)
        z.writestr(f"repo-{top}/README.md", "not part of the set\n")
    return buf.getvalue()


@pytest.fixture
def mirror(artefacts_dir: Path) -> Iterator[Mirror]:
    files = {
        urlsplit(load_manifest().sets[n].download["url"]).path: _zip_of(n, artefacts_dir)  # type: ignore[index]
        for n in SETS
    }
    state = Mirror("", files)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = state.files.get(self.path)
            if body is None or self.path in state.missing:
                self.send_error(404)
                return
            wanted = self.headers.get("Range")
            start = 0
            if wanted:
                state.ranges.append(wanted)
                start = int(wanted.removeprefix("bytes=").split("-")[0])
            self.send_response(206 if wanted else 200)
            if wanted:
                self.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
            self.send_header("Content-Length", str(len(body) - start))
            self.end_headers()
            self.wfile.write(body[start:])

        def log_message(self, *_args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield state
    finally:
        server.shutdown()
        thread.join(timeout=10)


def _install(mirror: Mirror, target: Path, *sets: str) -> object:
    args = ["install", "--to", str(target), "--mirror", mirror.url]
    for name in sets:
        args += ["--set", name]
    return runner.invoke(app, args)


def test_sets_are_fetched_checked_and_installed(mirror: Mirror, tmp_path: Path) -> None:
    target = tmp_path / "artefacts"
    done = _install(mirror, target, *SETS)
    assert done.exit_code == 0, done.output
    assert "2 installed" in done.output
    report = verify(target, sets=list(SETS))
    assert report.ok and not (target / "sie-samples" / "README.md").exists()
    again = _install(mirror, target, *SETS)
    assert again.exit_code == 0 and "0 installed, 2 up to date" in again.output


def test_a_broken_off_download_resumes_where_it_stopped(mirror: Mirror, tmp_path: Path) -> None:
    target = tmp_path / "artefacts"
    path = urlsplit(load_manifest().sets["sie-samples"].download["url"]).path  # type: ignore[index]
    cache = target / ".download"
    cache.mkdir(parents=True)
    (cache / "sie-samples.zip.part").write_bytes(mirror.files[path][:1000])
    done = _install(mirror, target, "sie-samples")
    assert done.exit_code == 0, done.output
    assert mirror.ranges == ["bytes=1000-"] and "resuming" in done.output
    assert verify(target, sets=["sie-samples"]).ok


def test_a_failed_download_names_the_set_and_the_url(mirror: Mirror, tmp_path: Path) -> None:
    path = urlsplit(load_manifest().sets["espd-4.1"].download["url"]).path  # type: ignore[index]
    mirror.missing.add(path)
    done = _install(mirror, tmp_path / "artefacts", "espd-4.1")
    assert done.exit_code == 1
    assert "espd-4.1" in done.output and f"{mirror.url}{path}" in done.output
    assert "404" in done.output


def test_an_altered_file_in_the_archive_is_refused(
    mirror: Mirror, tmp_path: Path, artefacts_dir: Path
) -> None:
    path = urlsplit(load_manifest().sets["espd-4.1"].download["url"]).path  # type: ignore[index]
    mirror.files[path] = _zip_of("espd-4.1", artefacts_dir, tamper="ESPD-Request.xml")
    done = _install(mirror, tmp_path / "artefacts", "espd-4.1")
    assert done.exit_code == 1 and "ESPD-Request.xml" in done.output
    assert not (tmp_path / "artefacts" / "espd-4.1").exists()


def test_a_set_with_no_known_location_is_a_usage_error(mirror: Mirror, tmp_path: Path) -> None:
    done = _install(mirror, tmp_path / "artefacts", "oioubl-2.1")
    assert done.exit_code == 2
    assert "oioubl-2.1" in done.output and "--from" in done.output


def test_all_sets_install_what_can_be_fetched_and_name_the_rest(
    mirror: Mirror, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from schemas import artefacts

    known = set(SETS)
    real = artefacts.load_manifest()
    trimmed = artefacts.Manifest(
        {
            n: a
            if n in known or not a.download
            else artefacts.ArtefactSet(a.name, a.version, a.source, a.files, None)
            for n, a in real.sets.items()
        }
    )
    monkeypatch.setattr(artefacts, "load_manifest", lambda *_a, **_k: trimmed)
    monkeypatch.setattr(artefacts, "has_default_source", lambda: False)
    done = runner.invoke(app, ["install", "--to", str(tmp_path / "a"), "--mirror", mirror.url])
    assert done.exit_code == 2
    assert "2 installed" in done.output and "oioubl-2.1" in done.output
    assert verify(tmp_path / "a", sets=list(SETS)).ok
