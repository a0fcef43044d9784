"""The informational ``constraints`` text of each written association is what its own
rule and final states describe, also when it was remembered from another association
with the same rule and the same (shared) state vector."""

from __future__ import annotations

from asngen.api import generate
from asngen.options import GenerateOptions

from .pools import write_synthetic_pool


def test_each_constraints_text_is_its_own_description(tmp_path):
    pool = tmp_path / "pool.csv"
    write_synthetic_pool(pool, 1200, 7)
    result = generate(pool, GenerateOptions(jobs=1))
    written = result.associations + result.skipped
    shared = {(id(asn.bound), id(asn.states)) for asn in written}
    assert len(shared) < len(written)  # some texts were remembered, not made again
    for asn in written:
        assert asn.data["constraints"] == "\n".join(asn.bound.describe(asn.states))


def test_a_candidates_bound_rule_describes_its_whole_tree(tmp_path):
    """A bound rule with a candidate leaf describes its template's part and that leaf apart
    (the template's named leaves are then found once): the same lines, in the same order,
    as describing the bound tree itself."""
    from asngen.engine.check import describe

    pool = tmp_path / "pool.csv"
    write_synthetic_pool(pool, 300, 3)
    result = generate(pool, GenerateOptions(jobs=1))
    bound_with_candidate = 0
    for asn in result.associations + result.skipped:
        whole = describe(asn.bound.tree, asn.states)
        assert asn.bound.describe(asn.states) == whole
        if asn.bound._global is not None:
            bound_with_candidate += 1
            assert any(line.startswith("asn_candidate") for line in whole)
    assert bound_with_candidate > 0
