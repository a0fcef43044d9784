"""User rule files: loaded only from the paths given, reported in one line when broken."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from asngen.api import generate
from asngen.errors import RuleError
from asngen.options import GenerateOptions

REPO = Path(__file__).resolve().parents[1]
EXAMPLE_POOL = REPO / "examples" / "example_pool.csv"
EXAMPLE_RULES = REPO / "examples" / "my_rules.py"


def test_a_user_rule_file_alone_builds_its_associations():
    result = generate(EXAMPLE_POOL, GenerateOptions(rules=(str(EXAMPLE_RULES),), ignore_default=True))
    rules = {json.loads(text)["asn_rule"] for _, text in result.files}
    assert rules == {"candidate_Asn_MyFilterStack", "discover_Asn_MyFilterStack"}
    products = {json.loads(text)["products"][0]["name"] for _, text in result.files}
    assert "jw01234-o001_t000_nircam_clear-f200w" in products


def test_a_user_rule_file_adds_to_the_built_in_rules():
    alone = generate(EXAMPLE_POOL, GenerateOptions())
    both = generate(EXAMPLE_POOL, GenerateOptions(rules=(str(EXAMPLE_RULES),)))
    assert len(both.files) > len(alone.files)
    assert {name for name, _ in alone.files} <= {name for name, _ in both.files} | {
        name for name, _ in alone.files
    }


def test_ignore_default_without_rules_is_an_error():
    with pytest.raises(RuleError):
        generate(EXAMPLE_POOL, GenerateOptions(ignore_default=True))


def test_a_broken_rule_file_names_its_file_and_line(tmp_path):
    broken = tmp_path / "broken_rules.py"
    broken.write_text("RULES = []\n\nraise ValueError('no such instrument')\n")
    with pytest.raises(RuleError) as caught:
        generate(EXAMPLE_POOL, GenerateOptions(rules=(str(broken),), ignore_default=True))
    text = str(caught.value)
    assert str(broken) in text and "line 3" in text and "no such instrument" in text
    assert "\n" not in text


def test_a_rule_file_without_rules_is_an_error(tmp_path):
    empty = tmp_path / "empty_rules.py"
    empty.write_text("X = 1\n")
    with pytest.raises(RuleError, match="defines no rules"):
        generate(EXAMPLE_POOL, GenerateOptions(rules=(str(empty),), ignore_default=True))
