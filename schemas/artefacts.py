"""The official artefact store: manifest, hash-checked install, verification.

The manifest (``schemas/manifest.json``) names every artefact set, its version
and source, and the SHA-256 of each file. :func:`install` copies a set only when
every file matches; a set is built in a temporary directory and renamed into
place, so the target never holds a half-installed set.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "MANIFEST_PATH",
    "ArtefactError",
    "ArtefactSet",
    "ArtefactUsageError",
    "InstallReport",
    "Manifest",
    "SetStatus",
    "VerifyReport",
    "build_manifest",
    "default_source",
    "has_default_source",
    "install",
    "is_installed",
    "list_sets",
    "load_manifest",
    "sha256_file",
    "verify",
    "write_manifest",
]

MANIFEST_PATH = Path(__file__).with_name("manifest.json")
PROJECT_ROOT = Path(__file__).resolve().parent.parent
# Written into each installed set; lets a repeated install skip a set without re-hashing it.
_MARKER = ".installed.json"
_CHUNK = 1 << 20


class ArtefactError(ValueError):
    """An artefact set cannot be installed or verified; ``detail`` names the files."""

    def __init__(self, detail: str, *, files: Iterable[str] = ()) -> None:
        super().__init__(detail)
        self.detail = detail
        self.files = list(files)


class ArtefactUsageError(ArtefactError):
    """The request itself is wrong: an unknown set name, or no source directory."""


@dataclass(frozen=True, slots=True)
class ArtefactSet:
    """One official artefact set: name, version, source and per-file SHA-256."""

    name: str
    version: str
    source: str
    files: dict[str, str]
    # Where the publisher offers the set: {"url": archive, "root": folder inside it}.
    download: dict[str, str] | None = None

    @property
    def digest(self) -> str:
        """One hash over the set's file list, identifying this exact content."""
        h = hashlib.sha256()
        for rel in sorted(self.files):
            h.update(f"{rel}\0{self.files[rel]}\n".encode())
        return h.hexdigest()


@dataclass(frozen=True, slots=True)
class Manifest:
    """Every artefact set the gateway knows, by name."""

    sets: dict[str, ArtefactSet]

    def select(self, names: Iterable[str] | None) -> list[ArtefactSet]:
        """The named sets (all when ``names`` is None); an unknown name is an error."""
        if names is None:
            return list(self.sets.values())
        unknown = [n for n in names if n not in self.sets]
        if unknown:
            raise ArtefactUsageError(
                f"unknown artefact set(s): {', '.join(unknown)}", files=unknown
            )
        return [self.sets[n] for n in names]


@dataclass(frozen=True, slots=True)
class InstallReport:
    """What an install did: sets copied and sets already in place."""

    target: Path
    installed: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    derived: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class VerifyReport:
    """Every installed file that is missing or whose hash differs from the manifest."""

    target: Path
    checked: list[str]
    missing: list[str]
    altered: list[str]

    @property
    def ok(self) -> bool:
        return not self.missing and not self.altered


@dataclass(frozen=True, slots=True)
class SetStatus:
    """One set of the manifest and whether it is installed in a directory."""

    name: str
    version: str
    source: str
    files: int
    installed: bool


def sha256_file(path: Path) -> str:
    """The SHA-256 of a file, read in chunks."""
    h = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            h.update(chunk)
    return h.hexdigest()


def load_manifest(path: Path = MANIFEST_PATH) -> Manifest:
    """Read a manifest written by :func:`write_manifest`."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ArtefactError(f"cannot read artefact manifest {path}: {exc}") from exc
    sets = {
        s["name"]: ArtefactSet(
            s["name"], s["version"], s["source"], dict(s["files"]), s.get("download")
        )
        for s in raw["sets"]
    }
    return Manifest(sets)


def write_manifest(manifest: Manifest, path: Path = MANIFEST_PATH) -> None:
    """Write the manifest as stable, diff-friendly JSON."""
    body = {
        "format": 1,
        "sets": [
            {
                "name": s.name,
                "version": s.version,
                "source": s.source,
                **({"download": s.download} if s.download else {}),
                "files": dict(sorted(s.files.items())),
            }
            for s in sorted(manifest.sets.values(), key=lambda s: s.name)
        ],
    }
    path.write_text(json.dumps(body, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def _readme_table(readme: Path) -> dict[str, tuple[str, str]]:
    # The mirror's README table: | set | version | what it holds | source |
    rows: dict[str, tuple[str, str]] = {}
    if not readme.is_file():
        return rows
    previous = ""
    for line in readme.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 4 or cells[0] in ("set", "") or set(cells[0]) <= {"-"}:
            continue
        origin = previous if cells[3].lower().startswith("as above") else cells[3]
        rows[cells[0]] = (cells[1], origin)
        previous = origin
    return rows


def _sums_file(source: Path) -> dict[str, str]:
    sums: dict[str, str] = {}
    path = source / "SHA256SUMS"
    if path.is_file():
        for line in path.read_text(encoding="utf-8").splitlines():
            digest, _, name = line.partition("  ")
            if name:
                sums[name.removeprefix("./")] = digest
    return sums


def _walk(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def build_manifest(source: Path) -> Manifest:
    """Hash every file of every set in a mirror; metadata comes from its README table.

    When the mirror ships a ``SHA256SUMS`` file, every hash must agree with it.
    """
    table = _readme_table(source / "README.md")
    sums = _sums_file(source)
    sets: dict[str, ArtefactSet] = {}
    disagree: list[str] = []
    for d in sorted(p for p in source.iterdir() if p.is_dir() and not p.name.startswith(".")):
        files = {rel: sha256_file(d / rel) for rel in _walk(d)}
        for rel, digest in files.items():
            listed = sums.get(f"{d.name}/{rel}")
            if listed is not None and listed != digest:
                disagree.append(f"{d.name}/{rel}")
        version, origin = table.get(d.name, ("unknown", "unknown"))
        sets[d.name] = ArtefactSet(d.name, version, origin, files)
    if disagree:
        raise ArtefactError(
            "files disagree with SHA256SUMS: " + ", ".join(disagree[:20]), files=disagree
        )
    return Manifest(sets)


def has_default_source() -> bool:
    """Whether ``../shared/artefacts`` sits beside the project."""
    return (PROJECT_ROOT.parent / "shared" / "artefacts").is_dir()


def default_source() -> Path:
    """``<project root>/../shared/artefacts`` when it exists, else an error asking for one."""
    candidate = PROJECT_ROOT.parent / "shared" / "artefacts"
    if candidate.is_dir():
        return candidate
    raise ArtefactUsageError(f"no artefact source found at {candidate}; pass --from DIR")


def _check_source(aset: ArtefactSet, source: Path) -> None:
    missing = [rel for rel in aset.files if not (source / aset.name / rel).is_file()]
    if missing:
        names = [f"{aset.name}/{rel}" for rel in missing]
        raise ArtefactError("missing in source: " + ", ".join(names[:20]), files=names)


def _copy_verified(aset: ArtefactSet, source: Path, staging: Path) -> None:
    altered: list[str] = []
    for rel, expected in aset.files.items():
        # Hash the very bytes we write, so nothing changes between check and copy.
        data = (source / aset.name / rel).read_bytes()
        if hashlib.sha256(data).hexdigest() != expected:
            altered.append(f"{aset.name}/{rel}")
            continue
        dest = staging / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(data)
    if altered:
        raise ArtefactError(
            "hash differs from the manifest: " + ", ".join(altered[:20]), files=altered
        )


def is_installed(aset: ArtefactSet, target: Path) -> bool:
    """Whether ``target`` holds exactly this version of the set (its marker matches)."""
    return _marker_matches(aset, target / aset.name)


def _marker_matches(aset: ArtefactSet, dest: Path) -> bool:
    marker = dest / _MARKER
    try:
        recorded = json.loads(marker.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if recorded.get("digest") != aset.digest:
        return False
    sizes = recorded.get("sizes", {})
    # A stat per file catches deletions and most edits without hashing; `verify` hashes.
    for rel in aset.files:
        try:
            if (dest / rel).stat().st_size != sizes.get(rel):
                return False
        except OSError:
            return False
    return True


def install(
    source: Path,
    target: Path,
    *,
    sets: list[str] | None = None,
    manifest: Manifest | None = None,
) -> InstallReport:
    """Install artefact sets from ``source`` into ``target``, refusing any file off the manifest."""
    manifest = manifest or load_manifest()
    chosen = manifest.select(sets)
    if not source.is_dir():
        raise ArtefactUsageError(f"artefact source {source} is not a directory; pass --from DIR")
    target.mkdir(parents=True, exist_ok=True)
    report = InstallReport(target=target)
    for aset in chosen:
        dest = target / aset.name
        if _marker_matches(aset, dest):
            report.skipped.append(aset.name)
            continue
        _check_source(aset, source)
        staging = Path(tempfile.mkdtemp(prefix=f".{aset.name}-", dir=target))
        try:
            _copy_verified(aset, source, staging)
            sizes = {rel: (staging / rel).stat().st_size for rel in aset.files}
            (staging / _MARKER).write_text(
                json.dumps(
                    {
                        "name": aset.name,
                        "version": aset.version,
                        "digest": aset.digest,
                        "sizes": sizes,
                    }
                ),
                encoding="utf-8",
            )
            if dest.exists():
                old = Path(tempfile.mkdtemp(prefix=f".{aset.name}-old-", dir=target))
                os.replace(dest, old / aset.name)
                shutil.rmtree(old, ignore_errors=True)
            os.replace(staging, dest)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        report.installed.append(aset.name)
    report.derived.extend(_derive(target))
    return report


def _derive(target: Path) -> list[str]:
    # Rule sets published only as .sch are compiled once here, not at validation time.
    if not (target / "iso-schematron").is_dir():
        return []
    from schemas import schematron  # Saxon starts only when there is something to compile

    done: list[str] = []
    if (target / "peppol-preaward").is_dir():
        try:
            done += schematron.compile_preaward(target)
        except schematron.SchematronError as exc:
            raise ArtefactError(f"cannot compile pre-award Schematron: {exc.detail}") from exc
    if (target / schematron.EFORMS_SET).is_dir():
        try:
            done += schematron.compile_eforms(target)
        except schematron.SchematronError as exc:
            raise ArtefactError(f"cannot compile eForms Schematron: {exc.detail}") from exc
    return done


def verify(
    target: Path, *, sets: list[str] | None = None, manifest: Manifest | None = None
) -> VerifyReport:
    """Hash every installed file of the chosen sets (default: the installed ones)."""
    manifest = manifest or load_manifest()
    if sets is None:
        chosen = [s for s in manifest.sets.values() if (target / s.name).is_dir()]
    else:
        chosen = manifest.select(sets)
    missing: list[str] = []
    altered: list[str] = []
    for aset in chosen:
        for rel, expected in aset.files.items():
            path = target / aset.name / rel
            if not path.is_file():
                missing.append(f"{aset.name}/{rel}")
            elif sha256_file(path) != expected:
                altered.append(f"{aset.name}/{rel}")
    return VerifyReport(target, [s.name for s in chosen], missing, altered)


def list_sets(target: Path, *, manifest: Manifest | None = None) -> list[SetStatus]:
    """Every set of the manifest and whether ``target`` holds it."""
    manifest = manifest or load_manifest()
    return [
        SetStatus(s.name, s.version, s.source, len(s.files), (target / s.name).is_dir())
        for s in sorted(manifest.sets.values(), key=lambda s: s.name)
    ]
