"""The informational ``constraints`` text of each written association is what its own
rule and final states describe, also when it was remembered from another association
with the same rule and the same (shared) state vector."""

from __future__ import annotations

from asngen.api import generate
from asngen.options import GenerateOptions

from .test_parallel import _make_pool_module


def test_each_constraints_text_is_its_own_description(tmp_path):
    pool = tmp_path / "pool.csv"
    _make_pool_module().write_pool(pool, 1200, 7)
    result = generate(pool, GenerateOptions(jobs=1))
    written = result.associations + result.skipped
    shared = {(id(asn.bound), id(asn.states)) for asn in written}
    assert len(shared) < len(written)  # some texts were remembered, not made again
    for asn in written:
        assert asn.data["constraints"] == "\n".join(asn.bound.describe(asn.states))
