"""The DMS classifiers the rules call for every member: remembered verdicts must be the
verdicts, and a missing column must still be reported where it was."""

from __future__ import annotations

import pytest

from asngen.rules import dms
from asngen.rules.dms import MissingColumn, classify, uses_integrations


def _row(**cells) -> dict:
    row = {"pntgtype": "science", "exp_type": "nrc_image", "is_psf": "f", "is_imprt": "f",
           "bkgdtarg": "f", "subarray": "full", "pupil": "clear", "detector": "nrca1", "tsovisit": "f"}
    row.update(cells)
    return row


def _classify_afresh(row, default="science"):
    dms._CLASSIFIED.clear()
    return dms._classify(row, default)


@pytest.mark.parametrize(
    "cells",
    [{}, {"pntgtype": "target_acquisition"}, {"exp_type": "nrs_msata"}, {"is_psf": "t"},
     {"is_imprt": "t"}, {"bkgdtarg": "t"}, {"is_psf": "t", "bkgdtarg": "t"}, {"exp_type": "nrc_dark"},
     {"pntgtype": None}, {"pntgtype": ""}],
)
def test_classify_remembers_the_same_answer(cells):
    row = _row(**cells)
    expected = _classify_afresh(row)
    assert classify(row) == expected
    assert classify(dict(row)) == expected  # from the memo
    assert classify(row, "psf") == dms._classify(row, "psf")  # the default is part of the key


def test_classify_answers_the_last_row_again_as_the_first_time():
    """The last row asked about keeps its answer, per default: asked again, with another
    default, or after another row, every answer is the one made afresh."""
    rows = [_row(), _row(is_psf="t"), _row(pntgtype="target_acquisition"), _row(bkgdtarg="t")]
    asks = [(0, "science"), (0, "science"), (0, "psf"), (0, "science"), (1, "science"), (1, "science"),
            (0, "science"), (2, "background"), (2, "background"), (3, "science"), (3, "psf"), (1, "psf")]
    for position, default in asks:
        expected = dms._classify(rows[position], default)
        assert classify(rows[position], default) == expected, (position, default)
    assert dms._LAST[0] is rows[1] and dms._LAST[1] == "psf"


def test_classify_does_not_remember_values_that_only_compare_equal():
    """``1 == True``: a verdict that hands back a cell must hand back this row's cell."""
    dms._CLASSIFIED.clear()
    assert classify(_row(pntgtype=1)) == 1
    first = classify(_row(pntgtype=True))
    assert first is True
    assert not dms._CLASSIFIED


def test_classify_with_an_unhashable_cell_and_without_exposure_type():
    for classifier in (classify, dms._classify):  # the same error, memo or not
        with pytest.raises(TypeError, match="unhashable"):
            classifier(_row(is_psf=["t"]), "science")
    with pytest.raises(LookupError):
        classify(_row(exp_type=None))
    with pytest.raises(LookupError):  # an error is never remembered
        classify(_row(exp_type=None))


@pytest.mark.parametrize(
    ("cells", "coron", "pinned", "expected"),
    [
        ({}, True, False, False),
        ({"exp_type": "nrc_coron", "subarray": "sub320a335r", "pupil": "maskrnd"}, True, False, True),
        ({"exp_type": "nrc_coron", "subarray": "sub320a335r", "pupil": "maskrnd"}, False, False, False),
        ({"exp_type": "nrc_coron", "pupil": "maskbar", "detector": "nrca2"}, True, False, False),
        ({"exp_type": "nis_ami"}, False, False, True),
        ({"exp_type": "nrc_tsimage"}, False, False, True),
        ({"tsovisit": "t"}, False, False, True),
        ({}, False, True, True),
        ({"pntgtype": "target_acquisition"}, True, True, False),
    ],
)
def test_uses_integrations_remembers_the_same_answer(cells, coron, pinned, expected):
    row = _row(**cells)
    dms._INTEGRATIONS.clear()
    assert uses_integrations(row, coron, pinned) is expected
    assert uses_integrations(dict(row), coron, pinned) is expected  # from the memo


def test_uses_integrations_still_reports_a_missing_column():
    row = _row(exp_type="nrc_coron")
    uses_integrations(row, True, False)  # a full row: remembered
    del row["pupil"]
    with pytest.raises(MissingColumn):
        uses_integrations(row, True, False)
    without_pointing = _row()
    del without_pointing["pntgtype"]
    with pytest.raises(MissingColumn):
        uses_integrations(without_pointing, False, False)


def test_a_row_given_as_another_mapping_reads_the_same_cells_as_a_dict():
    """Pool rows are dicts, read with C look-ups when compiled; any other mapping goes the
    general way.  Both make the same memo key: the mapping finds the dict's verdict."""
    from types import MappingProxyType

    for cells in ({}, {"exp_type": "nis_ami"}, {"is_psf": "t"}, {"tsovisit": "t", "pntgtype": "engineering"}):
        row = _row(**cells)
        dms._CLASSIFIED.clear()
        dms._INTEGRATIONS.clear()
        expected = (classify(row), classify(row, "psf"), uses_integrations(row, True, False))
        remembered = (dict(dms._CLASSIFIED), dict(dms._INTEGRATIONS))
        view = MappingProxyType(row)
        assert (classify(view), classify(view, "psf"), uses_integrations(view, True, False)) == expected
        assert (dms._CLASSIFIED, dms._INTEGRATIONS) == remembered  # no new keys: the same ones
