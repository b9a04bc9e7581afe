"""Fetching artefact sets from their official download locations (no ``../shared`` at hand).

A set whose manifest entry names ``download`` (``url``: the publisher's release zip
or the repository archive at the pinned commit; ``root``: the folder inside the
archive, below its top folder, that holds the set's files) is downloaded into a
cache folder, resumed with an HTTP range request when a partial file is there,
unpacked file by file under the manifest's names, and installed by
:func:`schemas.artefacts.install`, which checks every file's SHA-256 as it does
for a local source. A set with no known location, or a failed download, is
reported naming the set and the URL.
"""

from __future__ import annotations

import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from schemas.artefacts import (
    ArtefactError,
    ArtefactSet,
    ArtefactUsageError,
    InstallReport,
    Manifest,
    install,
    is_installed,
    load_manifest,
)

__all__ = ["DownloadFailed", "fetch"]

Say = Callable[[str], None]
_CHUNK = 1 << 16


class DownloadFailed(ArtefactError):
    """An archive could not be fetched (network, HTTP status) or lacks a file."""


def _download(client: httpx.Client, aset: ArtefactSet, url: str, cache: Path, say: Say) -> Path:
    done = cache / f"{aset.name}.zip"
    if done.is_file():
        return done
    part = done.with_suffix(".zip.part")
    have = part.stat().st_size if part.is_file() else 0
    headers = {"Range": f"bytes={have}-"} if have else {}
    try:
        with client.stream("GET", url, headers=headers) as r:
            if r.status_code == 416:  # the partial file is already whole
                part.rename(done)
                return done
            if r.status_code not in (200, 206):
                raise DownloadFailed(f"set {aset.name}: {url} answered HTTP {r.status_code}")
            resumed = r.status_code == 206
            say(f"{aset.name}: {'resuming' if resumed else 'fetching'} {url}")
            with part.open("ab" if resumed else "wb") as out:
                for chunk in r.iter_bytes(_CHUNK):
                    out.write(chunk)
    except httpx.HTTPError as exc:
        raise DownloadFailed(
            f"set {aset.name}: downloading {url} failed ({exc}); run the command again to "
            "resume, or pass --from DIR"
        ) from exc
    part.rename(done)
    return done


def _unpack(aset: ArtefactSet, archive: Path, url: str, root: str, into: Path) -> None:
    try:
        with zipfile.ZipFile(archive) as z:
            names = z.namelist()
            # A repository archive wraps everything in one top folder (<repo>-<commit>/).
            tops = {n.split("/", 1)[0] for n in names if "/" in n}
            top = f"{tops.pop()}/" if len(tops) == 1 else ""
            wanted = {f"{top}{root}{rel}": rel for rel in aset.files}
            missing = sorted(set(wanted) - set(names))
            if missing:
                raise DownloadFailed(
                    f"set {aset.name}: {url} lacks {len(missing)} file(s) of the manifest, "
                    f"e.g. {missing[0]}",
                    files=missing,
                )
            for member, rel in wanted.items():
                target = into / aset.name / rel
                target.parent.mkdir(parents=True, exist_ok=True)
                with z.open(member) as src, target.open("wb") as dst:
                    shutil.copyfileobj(src, dst)
    except zipfile.BadZipFile as exc:
        archive.unlink(missing_ok=True)  # a damaged archive is fetched anew next time
        raise DownloadFailed(f"set {aset.name}: {url} is not a zip archive ({exc})") from exc


def fetch(
    target: Path,
    *,
    cache: Path,
    sets: list[str] | None = None,
    manifest: Manifest | None = None,
    client: httpx.Client | None = None,
    mirror: str | None = None,
    say: Say = lambda _line: None,
) -> InstallReport:
    """Download, check and install the chosen sets (every set by default).

    ``mirror`` serves the official archives under their official paths (a proxy, or a
    test's loopback server): ``https://github.com/o/r/archive/c.zip`` is fetched as
    ``<mirror>/o/r/archive/c.zip``.
    """
    manifest = manifest or load_manifest()
    chosen = manifest.select(sets)
    unknown = [a.name for a in chosen if not (a.download and a.download.get("url"))]
    if unknown:
        raise ArtefactUsageError(
            "no official download location is known for the set(s) "
            f"{', '.join(unknown)}: pass --from DIR with a copy (e.g. ../shared/artefacts)",
            files=unknown,
        )
    cache.mkdir(parents=True, exist_ok=True)
    staging = cache / "source"
    own = client is None
    http = client or httpx.Client(timeout=120, follow_redirects=True)
    report = InstallReport(target=target)
    try:
        for aset in chosen:
            assert aset.download is not None
            if is_installed(aset, target):
                report.skipped.append(aset.name)
                continue
            url, root = aset.download["url"], aset.download.get("root", "")
            if mirror:
                url = mirror.rstrip("/") + urlsplit(url).path
            shutil.rmtree(staging / aset.name, ignore_errors=True)
            _unpack(aset, _download(http, aset, url, cache, say), url, root, staging)
            one = install(staging, target, sets=[aset.name], manifest=manifest)
            report.installed.extend(one.installed)
            report.skipped.extend(one.skipped)
            report.derived.extend(one.derived)
            shutil.rmtree(staging / aset.name, ignore_errors=True)
            (cache / f"{aset.name}.zip").unlink(missing_ok=True)
    finally:
        if own:
            http.close()
    return report
