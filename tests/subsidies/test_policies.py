"""Shipped policies load and quote the action plan verbatim; bad policy files fail loudly."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from marketplace.subsidies.engine.errors import PolicyFileError
from marketplace.subsidies.engine.policies import DEFAULT_POLICIES_DIR, load_policies, load_policy
from tests.subsidies.conftest import DATA

SHIPPED = {"JB-COMPLETION", "KEYLAB", "FIRST-SET", "EARLY-INVEST", "SME-PROV", "SME-NAT",
           "INCUBATOR", "SERVICE-ORG", "HTE-GROWTH", "JB-STAGED"}
PLAN = re.sub(r"\s+", "", (DATA / "gz-2022-19-action-plan.txt").read_text(encoding="utf-8"))
GOOD = (DATA / "policies" / "R-EARLY.yaml").read_text(encoding="utf-8")


def test_shipped_policies_load_from_the_repository_folder():
    assert DEFAULT_POLICIES_DIR == Path(__file__).resolve().parents[2] / "seeds" / "policies"
    assert set(load_policies()) == SHIPPED


@pytest.mark.parametrize("code", sorted(SHIPPED))
def test_each_shipped_policy_quotes_its_clause_verbatim(code):
    policy = load_policies()[code]
    assert re.sub(r"\s+", "", policy.clause_text) in PLAN
    assert policy.document == "穗府办〔2022〕19号"
    for parameter in policy.parameters.values():
        for dated in parameter.values:
            assert dated.value is None or dated.clause == policy.clause


def test_jb_completion_ships_the_documented_default():
    policy = load_policies()["JB-COMPLETION"]
    assert str(policy.parameters["ratio"].values[0].value) == "0.20"
    assert policy.parameters["cap_per_project"].values[0].value == 500_000_000  # 500万元 in fen


def test_loader_ignores_sub_folders_and_other_files(tmp_path):
    (tmp_path / "examples").mkdir()
    (tmp_path / "examples" / "R-EARLY.yaml").write_text(GOOD, encoding="utf-8")
    (tmp_path / "notes.md").write_text("not a policy", encoding="utf-8")
    (tmp_path / "R-EARLY.yaml").write_text(GOOD, encoding="utf-8")
    assert list(load_policies(tmp_path)) == ["R-EARLY"]


def _broken(tmp_path: Path, old: str, new: str) -> Path:
    assert old in GOOD
    path = tmp_path / "broken.yaml"
    path.write_text(GOOD.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(("old", "new", "key", "words"), [
    ("over_cap: truncate", "over_cap: truncate\nover_cap_mode: x", "over_cap_mode", "不认识"),
    ('value: "0.15"', "value: 0.15", "parameters.ratio.values[0].value", "引号"),
    ('value: "5000000.00"', "value: 5000000.5", "parameters.cap_per_year.values[0].value", "浮点"),
    (", clause: 二、（五）14}", "}", "parameters.ratio.values[0].clause", "缺少"),
    ("clause_text:", "clause_txt:", "clause_text", "缺少"),
    ("clause: 二、（五）14}", "clause: 二、（五）99}", "parameters.ratio.values[0].clause", "原文"),
    ("  cap_per_year:", "  cap_per_annum:", "parameters.cap_per_annum", "参数名"),
    ("kind: ratio_of_base", "kind: percentage", "kind", "ratio_of_base"),
    ('city: "0.5"', 'city: "0.6"', "funding_split.district", "之和"),
    ("{trigger: award, remainder: true}", "{trigger: award}", "installments[0].remainder", "缺少"),
    ("effective: {from: 2022-07-29", "effective: {from: 2022-13-29", "effective.from", "日期"),
    ("determinant_date: investment_received_date", "determinant_date: whenever", "determinant_date",
     "acceptance_date"),
])
def test_bad_policy_file_names_the_file_and_the_key(tmp_path, old, new, key, words):
    path = _broken(tmp_path, old, new)
    with pytest.raises(PolicyFileError) as caught:
        load_policy(path)
    assert caught.value.file == str(path)
    assert caught.value.key == key
    assert words in caught.value.message
    assert str(path) in str(caught.value)


def test_duplicate_yaml_keys_are_refused(tmp_path):
    path = _broken(tmp_path, "over_cap: truncate", "over_cap: truncate\nover_cap: reject")
    with pytest.raises(PolicyFileError, match="重复"):
        load_policy(path)


def test_dated_values_must_ascend(tmp_path):
    path = _broken(tmp_path, '      - {from: 2022-07-29, value: "0.15", clause: 二、（五）14}',
                   '      - {from: 2023-01-01, value: "0.15", clause: 二、（五）14}\n'
                   '      - {from: 2022-01-01, value: "0.10", clause: 二、（五）14}')
    with pytest.raises(PolicyFileError) as caught:
        load_policy(path)
    assert caught.value.key == "parameters.ratio.values[1].from"


def test_duplicate_codes_and_mixed_stacking_modes_in_a_folder_are_refused(tmp_path):
    (tmp_path / "a.yaml").write_text(GOOD, encoding="utf-8")
    (tmp_path / "b.yaml").write_text(GOOD, encoding="utf-8")
    with pytest.raises(PolicyFileError, match="重复"):
        load_policies(tmp_path)
    mixed = tmp_path / "mixed"
    mixed.mkdir()
    for name in ("R-SME-PROV.yaml", "R-SME-NAT-T.yaml"):
        text = (DATA / "policies" / name).read_text(encoding="utf-8")
        (mixed / name).write_text(text.replace("group: SME-T", "group: SME"), encoding="utf-8")
    with pytest.raises(PolicyFileError) as caught:
        load_policies(mixed)
    assert caught.value.key == "stacking.mode"
