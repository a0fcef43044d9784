"""Row-only verdicts: what a rule's tests say of a row on a fresh association."""

from __future__ import annotations

from asngen.engine import fresh


def test_row_tests_made_by_one_factory_share_an_identity_and_their_outcomes():
    """Every standard rule makes its own target-acquisition test (new lambdas each time):
    the same code, closure values and columns are one identity, remembered once per values."""
    from asngen.engine.constraints import Test
    from asngen.rules import level2

    first, second = level2.target_acq(), level2.target_acq()
    assert first is not second and first.sources is not second.sources
    assert fresh.test_identity(first) == fresh.test_identity(second)
    fss = level2.item_test(level2.dms.nrsfss_valid_detector)
    ifu = level2.item_test(level2.dms.nrsifu_valid_detector)
    assert fresh.test_identity(fss) != fresh.test_identity(ifu)  # the closures differ
    assert fresh.test_identity(fss) == fresh.test_identity(level2.item_test(level2.dms.nrsfss_valid_detector))
    assert fresh.test_identity(fss) != fresh.test_identity(
        level2.item_test(level2.dms.nrsfss_valid_detector, expected=False))  # another value
    def counting(seen: list) -> Test:
        return Test(lambda item, asn: len(seen), value=0, columns=("exp_type",))

    shared: list = []
    unhashable = counting(shared)
    assert fresh.test_identity(unhashable) != fresh.test_identity(counting([]))  # each function its own
    for exp_type in ("nrc_tacq", "nrc_image", "nrc_tacq"):
        row = {"pntgtype": "science", "exp_type": exp_type, "is_psf": None, "is_imprt": None, "bkgdtarg": None}
        expected = fresh._row_test_outcome(first, row)
        assert fresh.row_test_outcome(first, row) == expected == fresh.row_test_outcome(second, row)
        assert expected == (exp_type == "nrc_tacq")
    assert fresh.row_test_outcome(unhashable, {"exp_type": "x"}) is True


def test_row_tests_expecting_equal_values_of_other_types_are_not_one():
    """1, 1.0 and True are equal in Python; a test expecting one is not a test expecting another."""
    from asngen.engine.constraints import Test

    def expecting(value, flag):
        return Test(lambda item, asn: flag, value=value, columns=("exp_type",))

    identities = {fresh.test_identity(expecting(value, flag)) for value in (1, 1.0, True) for flag in (1, True)}
    assert len(identities) == 6
