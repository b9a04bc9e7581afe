from pathlib import Path

from reporting.xbrl.mapping import DEFAULT_MAPPING, load_xbrl_mapping
from reporting.xbrl.taxonomy import check_mapping, read_concepts


def test_builtin_mapping_fits_the_installed_taxonomy(artefacts_dir: Path) -> None:
    assert check_mapping(load_xbrl_mapping(), artefacts_dir=artefacts_dir) == []


def test_mapping_mistakes_are_found(artefacts_dir: Path, tmp_path: Path) -> None:
    text = DEFAULT_MAPPING.read_text("utf-8")
    text = text.replace(
        '"fsa:Revenue" = { balance = "credit" }', '"fsa:Revenue" = { balance = "debit" }'
    )
    text = text.replace(
        '"fsa:Provisions" = { balance = "credit" }', '"fsa:Provisionz" = { balance = "credit" }'
    )
    text = text.replace('"+fsa:Provisions"', '"+fsa:Provisionz"')
    text = text.replace('"21" = "fsa:Provisions"', '"21" = "fsa:Provisionz"')
    path = tmp_path / "mapping.toml"
    path.write_text(text, "utf-8")
    problems = check_mapping(load_xbrl_mapping(path), artefacts_dir=artefacts_dir)
    assert problems == [
        "fsa:Revenue is a credit concept, the mapping says debit",
        "fsa:Provisionz is not declared in dk-fsa-taxonomy-2017/XBRL20171001.zip",
    ]


def test_concepts_are_read_from_the_package(artefacts_dir: Path) -> None:
    concepts = read_concepts(artefacts_dir / load_xbrl_mapping().package)
    assets = concepts[("http://xbrl.dcca.dk/fsa", "Assets")]
    assert (assets.period_type, assets.balance) == ("instant", "debit")
