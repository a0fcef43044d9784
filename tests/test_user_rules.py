"""User rule files: loaded only from the paths given, reported in one line when broken."""

from __future__ import annotations

import json
import subprocess
import sys
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


DEEP_RULES = '''
from asngen.engine.constraints import All, Attr
from asngen.rules import level3 as l3
from asngen.rules import naming
from asngen.rules.model import Rule


def nested():
    node = Attr(["exp_type"], name="exp_type", value="nrc_image")
    for _ in range(DEPTH):
        node = All(node)
    return l3.science(node)


RULES = [
    Rule(name="Asn_Nested", level=3, asn_type="image3", doc="nested", constraints=nested,
         exposure_type=l3.exposure_type, product_name=naming.standard,
         validity=(("has_science", l3.has_science),), finalize=l3.finalize_science),
]
'''


@pytest.mark.parametrize("depth", [120, 200_000])
def test_a_rule_nested_too_deep_is_refused_in_one_line_naming_its_file(tmp_path, depth):
    """Recursion over a tree this deep overflows the interpreter (or, compiled, the C stack)."""
    rules = tmp_path / "nested_rules.py"
    rules.write_text(DEEP_RULES.replace("DEPTH", str(depth)))
    with pytest.raises(RuleError) as caught:
        generate(EXAMPLE_POOL, GenerateOptions(rules=(str(rules),), ignore_default=True))
    text = str(caught.value)
    assert str(rules.resolve()) in text and "Asn_Nested" in text and "100 levels" in text
    out = tmp_path / "out"
    completed = subprocess.run(
        [sys.executable, "-m", "asngen", "generate", str(EXAMPLE_POOL), "-r", str(rules), "--ignore-default",
         "-p", str(out)],
        capture_output=True, text=True, timeout=300,
    )
    assert completed.returncode == 1
    assert completed.stderr.count("\n") == 1 and "100 levels" in completed.stderr
    assert not out.exists()


def test_a_rule_nested_as_deep_as_allowed_still_works(tmp_path):
    from asngen.engine.constraints import MAX_DEPTH

    rules = tmp_path / "nested_rules.py"
    # science() wraps the tree in groups of its own: leave room for them
    rules.write_text(DEEP_RULES.replace("DEPTH", str(MAX_DEPTH - 10)))
    result = generate(EXAMPLE_POOL, GenerateOptions(rules=(str(rules),), ignore_default=True))
    assert result.files


def test_a_tree_that_holds_itself_is_refused_not_walked_forever():
    from asngen.engine.constraints import All, Attr, too_deep

    loop = All(Attr(["exp_type"], name="exp_type"))
    loop.children.append(loop)
    assert too_deep(loop)
    assert not too_deep(All(All(Attr(["exp_type"], name="exp_type"))))
