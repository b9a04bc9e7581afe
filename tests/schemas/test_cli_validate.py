"""`gateway validate`: exit codes, JSON lines, and the EN 16931 examples end to end."""

from __future__ import annotations

import json
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
import typer
from lxml import etree
from typer.testing import CliRunner

from gateway.cli.validate import register
from schemas import xmlsafe

CBC = "{urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2}"
CAC = "{urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2}"


@pytest.fixture(scope="module")
def cli() -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def _root() -> None:
        """Test root so that `validate` stays a sub-command as in `gateway`."""

    register(app)
    return app


@pytest.fixture(scope="module")
def examples(artefacts_dir: Path) -> Path:
    return artefacts_dir / "en16931-ubl-1.3.16" / "examples"


def run(cli: typer.Typer, artefacts_dir: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["validate", "--artefacts", str(artefacts_dir), *args])
    return result.exit_code, result.output


def lines(output: str) -> list[dict]:
    return [json.loads(line) for line in output.splitlines() if line.startswith("{")]


def test_en16931_examples_are_valid_except_issue116(
    cli: typer.Typer, artefacts_dir: Path, examples: Path
) -> None:
    files = sorted(str(p) for p in examples.iterdir())
    code, output = run(cli, artefacts_dir, "--json", *files)
    results = {Path(r["file"]).name: r for r in lines(output)}
    assert len(results) == len(files)
    invalid = {name for name, r in results.items() if not r["valid"]}
    assert invalid == {"issue116.xml"}
    fatal = {f["rule"] for f in results["issue116.xml"]["findings"] if f["severity"] == "fatal"}
    assert fatal == {"PEPPOL-COMMON-R049"}
    assert code == 1


def test_altered_totals_exit_1_naming_br_co_15(
    cli: typer.Typer, artefacts_dir: Path, examples: Path, tmp_path: Path
) -> None:
    tree = xmlsafe.parse((examples / "ubl-tc434-example1.xml").read_bytes())
    total = tree.getroot().find(f"{CAC}LegalMonetaryTotal/{CBC}TaxInclusiveAmount")
    assert total is not None
    total.text = str(Decimal(total.text or "0") + 10)
    altered = tmp_path / "altered.xml"
    altered.write_bytes(etree.tostring(tree, xml_declaration=True, encoding="UTF-8"))
    code, output = run(cli, artefacts_dir, str(altered))
    assert code == 1
    assert "INVALID" in output and "BR-CO-15" in output


def test_valid_file_exits_0_with_json_shape(
    cli: typer.Typer, artefacts_dir: Path, examples: Path
) -> None:
    code, output = run(cli, artefacts_dir, "--json", str(examples / "guide-example1.xml"))
    assert code == 0
    (line,) = lines(output)
    assert set(line) == {"file", "valid", "plan", "findings"}
    assert (line["valid"], line["plan"]) == (True, "en16931-ubl")


def test_named_plan_overrides_detection(
    cli: typer.Typer, artefacts_dir: Path, examples: Path
) -> None:
    code, _ = run(cli, artefacts_dir, "--plan", "en16931-ubl", str(examples / "issue116.xml"))
    assert code == 0


def test_hostile_xml_exits_1_as_a_refused_document(
    cli: typer.Typer, artefacts_dir: Path, tmp_path: Path
) -> None:
    bomb = tmp_path / "bomb.xml"
    bomb.write_bytes(b'<!DOCTYPE x [<!ENTITY a "aaaaaaaa"><!ENTITY b "&a;&a;">]><x>&b;</x>')
    code, output = run(cli, artefacts_dir, "--json", str(bomb))
    assert code == 1
    (line,) = lines(output)
    assert line["valid"] is False
    assert line["findings"][0]["rule"] == "XML-REFUSED"


def test_unreadable_file_unknown_plan_and_no_file_exit_2(
    cli: typer.Typer, artefacts_dir: Path, examples: Path, tmp_path: Path
) -> None:
    code, output = run(cli, artefacts_dir, str(tmp_path / "missing.xml"))
    assert code == 2 and "missing.xml" in output
    code, output = run(cli, artefacts_dir, "--plan", "nope", str(examples / "guide-example1.xml"))
    assert code == 2 and "unknown validation plan" in output
    assert run(cli, artefacts_dir)[0] == 2


def test_document_without_plan_exits_1_with_a_finding_asking_for_one(
    cli: typer.Typer, artefacts_dir: Path, tmp_path: Path
) -> None:
    other = tmp_path / "other.xml"
    other.write_bytes(b"<note><to>x</to></note>")
    code, output = run(cli, artefacts_dir, "--json", str(other))
    assert code == 1
    (line,) = lines(output)
    assert line["valid"] is False
    (finding,) = line["findings"]
    assert finding["rule"] == "NO-PLAN" and "--plan" in finding["message"]


def test_dynamic_error_in_a_rule_set_exits_1_with_every_layer_reported(
    cli: typer.Typer, artefacts_dir: Path, examples: Path, tmp_path: Path
) -> None:
    tree = xmlsafe.parse((examples / "ubl-tc434-example1.xml").read_bytes())
    payable = tree.getroot().find(f"{CAC}LegalMonetaryTotal/{CBC}PayableAmount")
    assert payable is not None
    payable.text = "abc"
    broken = tmp_path / "abc.xml"
    broken.write_bytes(etree.tostring(tree, xml_declaration=True, encoding="UTF-8"))
    code, output = run(cli, artefacts_dir, "--json", str(broken))
    assert code == 1
    (line,) = lines(output)
    rules = [f["rule"] for f in line["findings"]]
    assert "XSD" in rules  # the schema error that is the real cause is still there
    (error,) = [f for f in line["findings"] if f["rule"] == "RULESET-ERROR"]
    assert (error["code"], error["value"]) == ("FORG0001", "abc")
    assert "cac:LegalMonetaryTotal" in error["location"]
    assert "Traceback" not in output


def test_invalid_file_among_valid_ones_still_reports_each(
    cli: typer.Typer, artefacts_dir: Path, examples: Path, tmp_path: Path
) -> None:
    shutil.copy(examples / "guide-example1.xml", tmp_path / "a.xml")
    (tmp_path / "b.xml").write_bytes(b"<unclosed>")
    code, output = run(
        cli, artefacts_dir, "--json", str(tmp_path / "a.xml"), str(tmp_path / "b.xml")
    )
    assert code == 1
    results = lines(output)
    assert [r["valid"] for r in results] == [True, False]
    assert results[1]["findings"][0]["rule"] == "XML-MALFORMED"


def test_list_plans_names_every_family(cli: typer.Typer, artefacts_dir: Path) -> None:
    code, output = run(cli, artefacts_dir, "--list-plans")
    assert code == 0
    for family in ("peppol-billing-3@2025.5", "oioubl-2.1", "peppol-t01@2026.5", "ubl-2.3"):
        assert family in output


def test_compiled_engine_gives_the_same_verdicts_and_rules(
    cli: typer.Typer, artefacts_dir: Path, examples: Path
) -> None:
    files = sorted(str(p) for p in examples.iterdir())
    saxon = lines(run(cli, artefacts_dir, "--json", *files)[1])
    code, output = run(cli, artefacts_dir, "--json", "--engine", "compiled", *files)
    compiled = lines(output)
    assert code == 1
    assert [(r["valid"], sorted(f["rule"] for f in r["findings"])) for r in compiled] == [
        (r["valid"], sorted(f["rule"] for f in r["findings"])) for r in saxon
    ]
    assert run(cli, artefacts_dir, "--engine", "fast", files[0])[0] == 2


def test_many_files_end_with_a_summary_line_on_stderr(
    cli: typer.Typer, artefacts_dir: Path, examples: Path, tmp_path: Path
) -> None:
    good = sorted(examples.iterdir())[:3]
    missing = tmp_path / "not-there.xml"
    result = CliRunner().invoke(
        cli,
        ["validate", "--artefacts", str(artefacts_dir), "--json", *map(str, good), str(missing)],
    )
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines()[-1] == "4 files: 3 valid, 0 invalid, 1 not checked"
    assert len(lines(result.stdout)) == 4  # stdout stays one JSON object per file
    one = CliRunner().invoke(cli, ["validate", "--artefacts", str(artefacts_dir), str(good[0])])
    assert one.exit_code == 0 and "files:" not in one.stderr


def test_a_person_at_a_terminal_sees_a_progress_bar_over_many_files(
    cli: typer.Typer, artefacts_dir: Path, examples: Path
) -> None:
    files = [str(p) for p in sorted(examples.iterdir())[:3]]
    result = CliRunner(env={"TTY_COMPATIBLE": "1"}).invoke(
        cli, ["validate", "--artefacts", str(artefacts_dir), "--json", *files]
    )
    assert result.exit_code == 0
    assert "validating" in result.stderr and "3/3" in result.stderr
    assert len(lines(result.stdout)) == 3
