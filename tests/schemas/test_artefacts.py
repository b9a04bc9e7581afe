"""The artefact store: manifest, hash-checked install, verify, list, and its CLI."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gateway.cli.artefacts import app
from schemas import artefacts as store

README = """# mirror

| set | version | what it holds | source (repository @ commit : path) |
|---|---|---|---|
| alpha | 1.0 | two files | example/alpha @ abc123 : x/ |
| beta | 2.0 | one file | as above |
"""


@pytest.fixture
def mirror(tmp_path: Path) -> Path:
    src = tmp_path / "mirror"
    (src / "alpha" / "sub").mkdir(parents=True)
    (src / "alpha" / "a.xml").write_text("<a/>")
    (src / "alpha" / "sub" / "b.xsd").write_text("<schema/>")
    (src / "beta").mkdir()
    (src / "beta" / "c.txt").write_text("c")
    (src / "README.md").write_text(README)
    return src


@pytest.fixture
def manifest(mirror: Path) -> store.Manifest:
    return store.build_manifest(mirror)


def test_manifest_records_readme_metadata_and_hashes(manifest: store.Manifest) -> None:
    alpha = manifest.sets["alpha"]
    assert (alpha.version, alpha.source) == ("1.0", "example/alpha @ abc123 : x/")
    assert manifest.sets["beta"].source == "example/alpha @ abc123 : x/"
    assert sorted(alpha.files) == ["a.xml", "sub/b.xsd"]
    assert alpha.files["a.xml"] == hashlib.sha256(b"<a/>").hexdigest()


def test_manifest_round_trips_through_json(manifest: store.Manifest, tmp_path: Path) -> None:
    path = tmp_path / "m.json"
    store.write_manifest(manifest, path)
    assert store.load_manifest(path) == manifest


def test_manifest_refuses_a_mirror_disagreeing_with_its_sums(mirror: Path) -> None:
    (mirror / "SHA256SUMS").write_text("00  ./alpha/a.xml\n")
    with pytest.raises(store.ArtefactError, match=r"alpha/a\.xml"):
        store.build_manifest(mirror)


def test_install_copies_and_verifies(
    mirror: Path, manifest: store.Manifest, tmp_path: Path
) -> None:
    target = tmp_path / "installed"
    report = store.install(mirror, target, manifest=manifest)
    assert report.installed == ["alpha", "beta"]
    assert (target / "alpha" / "sub" / "b.xsd").read_text() == "<schema/>"
    assert store.verify(target, manifest=manifest).ok


def test_second_install_skips_installed_sets(
    mirror: Path, manifest: store.Manifest, tmp_path: Path
) -> None:
    target = tmp_path / "installed"
    store.install(mirror, target, manifest=manifest)
    again = store.install(mirror, target, manifest=manifest)
    assert (again.installed, again.skipped) == ([], ["alpha", "beta"])


def test_install_refuses_altered_file_and_leaves_nothing_behind(
    mirror: Path, manifest: store.Manifest, tmp_path: Path
) -> None:
    (mirror / "alpha" / "sub" / "b.xsd").write_text("<schema evil='1'/>")
    target = tmp_path / "installed"
    with pytest.raises(store.ArtefactError, match=r"alpha/sub/b\.xsd") as info:
        store.install(mirror, target, manifest=manifest)
    assert info.value.files == ["alpha/sub/b.xsd"]
    assert [p.name for p in target.iterdir()] == []


def test_install_refuses_missing_file(
    mirror: Path, manifest: store.Manifest, tmp_path: Path
) -> None:
    (mirror / "alpha" / "a.xml").unlink()
    with pytest.raises(store.ArtefactError, match=r"missing in source: alpha/a\.xml"):
        store.install(mirror, tmp_path / "t", manifest=manifest, sets=["alpha"])


def test_install_of_unknown_set_is_refused(
    mirror: Path, manifest: store.Manifest, tmp_path: Path
) -> None:
    with pytest.raises(store.ArtefactError, match="gamma"):
        store.install(mirror, tmp_path / "t", manifest=manifest, sets=["gamma"])


def test_reinstall_repairs_a_damaged_set(
    mirror: Path, manifest: store.Manifest, tmp_path: Path
) -> None:
    target = tmp_path / "installed"
    store.install(mirror, target, manifest=manifest)
    (target / "alpha" / "a.xml").write_text("<changed-size/>")
    report = store.install(mirror, target, manifest=manifest)
    assert report.installed == ["alpha"]
    assert (target / "alpha" / "a.xml").read_text() == "<a/>"


def test_verify_names_missing_and_altered_files(
    mirror: Path, manifest: store.Manifest, tmp_path: Path
) -> None:
    target = tmp_path / "installed"
    store.install(mirror, target, manifest=manifest)
    (target / "alpha" / "a.xml").write_text("<b/>")
    (target / "alpha" / "sub" / "b.xsd").unlink()
    report = store.verify(target, manifest=manifest)
    assert not report.ok
    assert report.altered == ["alpha/a.xml"]
    assert report.missing == ["alpha/sub/b.xsd"]


def test_list_sets_shows_what_is_installed(
    mirror: Path, manifest: store.Manifest, tmp_path: Path
) -> None:
    target = tmp_path / "installed"
    store.install(mirror, target, manifest=manifest, sets=["beta"])
    status = {s.name: s.installed for s in store.list_sets(target, manifest=manifest)}
    assert status == {"alpha": False, "beta": True}


def test_committed_manifest_matches_the_installed_artefacts(artefacts_dir: Path) -> None:
    report = store.verify(artefacts_dir)
    assert report.checked, "no artefact set installed"
    assert (report.missing, report.altered) == ([], [])


def test_real_sets_install_from_the_installed_directory(
    artefacts_dir: Path, tmp_path: Path
) -> None:
    report = store.install(artefacts_dir, tmp_path, sets=["iso-schematron", "espd-4.1"])
    assert report.installed == ["iso-schematron", "espd-4.1"]
    assert store.verify(tmp_path, sets=["iso-schematron", "espd-4.1"]).ok


# --- CLI -------------------------------------------------------------------


def test_cli_manifest_writes_every_set(mirror: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    mpath = tmp_path / "m.json"
    result = runner.invoke(app, ["manifest", "--from", str(mirror), "--output", str(mpath)])
    assert result.exit_code == 0, result.output
    manifest = store.load_manifest(mpath)
    assert set(manifest.sets) == {"alpha", "beta"}


def test_cli_verify_exits_1_naming_altered_file(artefacts_dir: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    ok = runner.invoke(
        app, ["install", "--from", str(artefacts_dir), "--to", str(tmp_path), "--set", "espd-4.1"]
    )
    assert ok.exit_code == 0, ok.output
    assert "installed espd-4.1" in ok.output
    assert runner.invoke(app, ["verify", "--to", str(tmp_path)]).exit_code == 0
    (tmp_path / "espd-4.1" / "ESPD-Request.xml").write_text("<x/>")
    bad = runner.invoke(app, ["verify", "--to", str(tmp_path)])
    assert bad.exit_code == 1
    assert "altered espd-4.1/ESPD-Request.xml" in bad.output


def test_cli_install_from_missing_dir_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["install", "--from", str(tmp_path / "nope"), "--to", str(tmp_path / "t")]
    )
    assert result.exit_code == 2
    assert "--from" in result.output


def test_cli_install_unknown_set_is_a_usage_error(artefacts_dir: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["install", "--from", str(artefacts_dir), "--to", str(tmp_path), "--set", "nope"]
    )
    assert result.exit_code == 2
    assert "nope" in result.output


def test_default_artefacts_dir_follows_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from gateway.cli.artefacts import default_artefacts_dir

    monkeypatch.delenv("GW_ARTEFACTS_DIR", raising=False)
    monkeypatch.setenv("GW_DATA_DIR", "/srv/gw")
    assert default_artefacts_dir() == Path("/srv/gw/artefacts")
    monkeypatch.setenv("GW_ARTEFACTS_DIR", "/opt/a")
    assert default_artefacts_dir() == Path("/opt/a")
