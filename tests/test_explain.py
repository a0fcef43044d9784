"""asngen explain: decisions recorded per exposure, orphans and their reasons.

The pools are built here, row by row, from one NIRCam imaging template:
every test says exactly which column differs and what it expects to be told.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import asngen
from asngen import asn_io
from asngen.api import generate, write_result
from asngen.cli.main import main
from asngen.explain import Recorder, explain, orphan_reasons
from asngen.generator.loop import RunState
from asngen.options import GenerateOptions
from tests.pools import write_synthetic_pool

COLUMNS = (
    "filename|obs_id|program|obs_num|visit|visit_id|visitgrp|visitype|seq_id|act_id|exposure|exp_type|"
    "nexposur|expcount|instrume|detector|channel|targetid|targprop|targname|targtype|template|pntgtype|"
    "pntg_seq|targordn|expspcin|dithptin|mostilno|module|filter|pupil|ditherid|patttype|pattstrt|numdthpt|"
    "pattsize|subpxpns|patt_num|subpxnum|subpixel|apername|sdp_ver|subarray|grating|fxd_slit|band|"
    "gwa_xtil|gwa_ytil|asn_candidate|exposerr|is_psf|is_imprt|bkgdtarg|tsovisit"
).split("|")


def pool_row(number: int, obs: int = 1, **changes: str) -> dict[str, str]:
    """A NIRCam F200W science image of observation ``obs``; ``changes`` override columns."""
    row = dict.fromkeys(COLUMNS, "null")
    row.update(
        filename=f"jw99001{obs:03d}001_02101_{number:05d}_nrca1_uncal.fits",
        obs_id=f"v99001{obs:03d}001p0000000002101", program="99001", obs_num=str(obs), visit="1",
        visit_id=f"99001{obs:03d}001", visitgrp="2", visitype="prime_targeted_fixed", seq_id="1",
        act_id="01", exposure=str(number), exp_type="nrc_image", instrume="nircam", detector="nrca1",
        targetid="1", targprop="ngc-1", targtype="fixed", template="nircam imaging", pntgtype="science",
        pntg_seq="1", targordn="1", expspcin="1", dithptin=str(number), mostilno="1", module="a",
        filter="f200w", pupil="clear", patttype="full", apername="nrca1_full", sdp_ver="2023_1",
        subarray="full", asn_candidate=f"[('o{obs:03d}', 'observation')]", is_psf="f", is_imprt="f",
        bkgdtarg="f", tsovisit="f",
    )
    row.update(changes)
    return row


def write_pool(path: Path, rows: list[dict[str, str]]) -> Path:
    lines = ["|".join(name.upper() for name in COLUMNS)]
    lines += ["|".join(row[name] for name in COLUMNS) for row in rows]
    path.write_text("\n".join(lines) + "\n")
    return path


def name_of(number: int, obs: int = 1) -> str:
    return pool_row(number, obs)["filename"]


@pytest.fixture
def filters_pool(tmp_path: Path) -> Path:
    """Two F200W images, one F150W image, a dark (no rule takes darks), a lone acquisition."""
    return write_pool(tmp_path / "filters_pool.csv", [
        pool_row(1), pool_row(2), pool_row(3, filter="f150w"),
        pool_row(4, exp_type="nrc_dark"),
        pool_row(5, obs=2, exp_type="nrc_tacq", filter="f335m"),
    ])


def _stem(name: str) -> str:
    return name.rsplit("_", 1)[0]


def test_wrong_filter_is_reported_with_constraint_and_both_values(filters_pool: Path) -> None:
    model = explain(filters_pool)
    answer = model.exposure(name_of(3))
    image3 = next(d for d in answer.decisions
                  if d.rule == "Asn_Lv3Image" and d.context == "candidate o001 (observation)")
    assert image3.took  # it starts its own F150W association...
    # ...and the F200W one refuses it (tried, or left out by the index for that very reason)
    label, refusals = (image3.existing + image3.elsewhere)[0]
    refusal = refusals[0]
    assert (refusal.constraint, refusal.columns, refusal.seen, refusal.required) == (
        "opt_elem", ["filter"], "f150w", "f200w")
    assert refusal.against == "association"
    assert "filter = 'f150w'" in refusal.sentence() and "'f200w'" in refusal.sentence()
    assert label in {asn.asn_name() for asn in model.result.associations}
    text = "\n".join(answer.lines())
    assert "opt_elem: the row has filter = 'f150w', the association holds 'f200w'" in text


def test_refusal_by_the_rules_own_pattern(filters_pool: Path) -> None:
    answer = explain(filters_pool).exposure(name_of(1))
    wfsc = next(d for d in answer.decisions if d.rule == "Asn_Lv3WFSCMB")
    assert not wfsc.took and wfsc.skipped
    refusal = wfsc.refusals[0]
    assert (refusal.constraint, refusal.seen, refusal.required, refusal.against) == (
        "patttype", "full", "wfsc", "rule")
    assert refusal.sentence() == "patttype: the row has patttype = 'full', the rule requires 'wfsc'"


def test_orphans_are_exactly_the_rows_in_no_written_association(filters_pool: Path, tmp_path: Path) -> None:
    options = GenerateOptions(version_id="t")
    model = explain(filters_pool, options)
    written = write_result(model.result, tmp_path / "out")
    assert written
    members = set()
    for path in written:
        for product in asn_io.load(str(path))["products"]:
            members.update(_stem(member["expname"]) for member in product["members"])
    rows = [row["filename"] for row in model.pool.rows]
    expected = [name for name in rows if _stem(name) not in members]
    assert model.orphan_names == expected == [name_of(4)]
    (orphan,) = model.orphans()
    assert orphan.orphan and orphan.written == []
    assert orphan.reason == "no rule takes exposures of exp_type 'nrc_dark'"


def test_orphan_of_a_dropped_association_says_why_it_was_dropped(tmp_path: Path) -> None:
    # a NIRISS grism exposure with no direct image, and no grism in its filter column:
    # its Level 2 association is never written, and Level 3 refuses the filter
    pool = write_pool(tmp_path / "wfss_pool.csv", [
        pool_row(1, exp_type="nis_wfss", instrume="niriss", detector="nis", filter="f150w", pupil="f200w"),
    ])
    model = explain(pool)
    (orphan,) = model.orphans()
    assert orphan.filename == name_of(1)
    assert "Asn_Lv2WFSSNIS started an association as science" in orphan.reason
    assert "a WFSS association is kept only when it also holds a direct image" in orphan.reason
    placement = next(p for d in orphan.decisions for p in d.placements if d.rule == "Asn_Lv2WFSSNIS")
    assert placement.written is None and placement.member_type == "science"
    level3 = next(d for d in orphan.decisions if d.rule == "Asn_Lv3WFSSNIS")
    refusal = level3.refusals[0]
    assert (refusal.constraint, refusal.seen, refusal.required) == ("opt_elem", "f150w", "gr150r|gr150c")
    assert refusal.sentence() == "opt_elem: the row has filter = 'f150w', the rule requires one of gr150r, gr150c"


def test_orphan_reasons_without_a_recorder_cover_the_same_rows(filters_pool: Path) -> None:
    result = generate(filters_pool, GenerateOptions())
    reasons = orphan_reasons(result.orphans, result, options=GenerateOptions())
    assert reasons == {name_of(4): "no rule takes exposures of exp_type 'nrc_dark'"}
    run = RunState()
    run.recorder = Recorder()
    recorded = generate(filters_pool, GenerateOptions(), run=run)
    assert orphan_reasons(recorded.orphans, recorded, run.recorder) == reasons


def test_recording_changes_nothing_generated(filters_pool: Path) -> None:
    assert RunState().recorder is None
    plain = generate(filters_pool, GenerateOptions(version_id="t"))
    recorded = explain(filters_pool, GenerateOptions(version_id="t")).result
    assert plain.files == recorded.files
    assert [row["filename"] for row in plain.orphans] == [row["filename"] for row in recorded.orphans]


@pytest.mark.parametrize("source", ["nod_regression", "synthetic"])
def test_recording_changes_nothing_on_requeued_rows(source: str, tmp_path: Path) -> None:
    """Without a recorder the loop skips offering a row to associations it already joined
    (background and nod exposures are re-queued many times); recording offers every one.
    Both must give the same associations.  The nod pool has an exposure that joins an
    association as a background (which then reports no match) and still starts its own."""
    if source == "nod_regression":
        pool = Path(__file__).with_name("data") / "regressions" / "nod_joined_as_background_still_starts_own" / "pool.csv"
    else:
        pool = write_synthetic_pool(tmp_path / "synthetic.csv", 300, 2)
    plain = generate(pool, GenerateOptions(version_id="t", jobs=1))
    recorded = explain(pool, GenerateOptions(version_id="t")).result
    assert plain.files == recorded.files
    assert len(plain.files) > 1


def test_association_members_say_how_they_joined(filters_pool: Path) -> None:
    model = explain(filters_pool)
    (asn,) = [a for a in model.find_associations("jw99001-o001_image3_00002_asn.json")]
    answer = model.association(asn)
    assert answer.asn_type == "image3" and answer.rule == "Asn_Lv3Image"
    assert "filter = 'f200w'" in answer.shared
    whys = {member.filename: member.why for member in answer.members}
    assert whys[name_of(1)].startswith("started the association")
    assert whys[name_of(2)].startswith("joined")
    assert answer.to_dict()["members"][0]["exptype"] == "science"


def test_target_acquisition_joins_its_observation(tmp_path: Path) -> None:
    pool = write_pool(tmp_path / "ta_pool.csv", [pool_row(1), pool_row(2, exp_type="nrc_tacq")])
    answer = explain(pool).exposure(name_of(2))
    taken = [(d.rule, p.member_type) for d in answer.decisions for p in d.placements if p.written]
    assert ("Asn_Lv3Image", "target_acquisition") in taken


def test_package_level_function_and_module_are_the_same_entry(filters_pool: Path) -> None:
    import asngen.explain as module

    assert callable(asngen.explain)
    assert module(filters_pool).orphan_names == [name_of(4)]


def test_cli_explain_text_and_json(filters_pool: Path, capsys) -> None:
    assert main(["explain", str(filters_pool), "--exposure", "00003_nrca1", "--orphans"]) == 0
    out = capsys.readouterr().out
    assert "opt_elem: the row has filter = 'f150w', the association holds 'f200w'" in out
    assert f"{name_of(4)}: no rule takes exposures of exp_type 'nrc_dark'" in out
    assert "5 rows, " in out

    assert main(["explain", str(filters_pool), "--json", "-e", name_of(4), "--asn",
                 "jw99001-o001_image3_00002_asn"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["summary"]["orphans"] == 1
    (exposure,) = document["exposures"]
    assert exposure["orphan"] and "nrc_dark" in exposure["reason"]
    (association,) = document["associations"]
    assert {m["filename"] for m in association["members"]} == {name_of(1), name_of(2)}


def test_cli_explain_unknown_names_are_one_line_errors(filters_pool: Path, capsys) -> None:
    assert main(["explain", str(filters_pool), "-e", "no-such-exposure"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no exposure of the pool matches 'no-such-exposure'" in err
    assert main(["explain", str(filters_pool), "--asn", "jw00000-o999_image3_00001_asn"]) == 2


def test_rows_set_aside_before_generating_say_so(tmp_path: Path) -> None:
    pool = write_pool(tmp_path / "empty_type.csv", [pool_row(1), pool_row(2, exp_type="null")])
    model = explain(pool)
    (orphan,) = model.orphans()
    assert orphan.filename == name_of(2)
    assert orphan.reason.startswith("left out before generating: ")
    result = generate(pool)
    assert orphan_reasons(result.orphans, result) == {name_of(2): orphan.reason}
