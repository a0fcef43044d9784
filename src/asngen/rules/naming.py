"""Level 3 product names, built from what an association has pinned.

A product name reads ``jw<program>-<acid>_<target>_<instrument>_<optical
elements>[-<slit>][-<subarray>]`` with per-mode variants.  Values come from
the *found values* of the association's named constraints, which are stored
regex-escaped; that escaping shows in names exactly as it does in the
reference's.  Placeholders the reference never fills (``{source_id}``,
``{slit_name}``, ``{suffix}``) are kept literally, as downstream steps expect.
"""

from __future__ import annotations

from ..engine.patterns import EMPTY_SET


def _joined(values) -> str:
    return "-".join([value if type(value) is str else str(value) for value in values])


def level3_target(asn) -> str:
    """``t`` + the target id, zero-padded to 3 (first ``target`` constraint that saw a value)."""
    value = []
    for node in asn.bound.all_named("target"):
        if node.kind == "group":
            continue
        found = asn.state_of(node)[3]
        if found:
            value = found
            break
    return "t" + f"{_joined(value):0>3s}"


def instrument(asn) -> str:
    found = asn.found_or_none("instrument")
    if found is None:
        raise KeyError("instrument")
    return _joined(found)


def optical_elements(asn) -> str:
    elements = []
    for name in ("opt_elem", "opt_elem2"):
        found = asn.found_or_none(name)
        if found is None:
            continue
        value = _joined(sorted(found, key=str.lower))
        if value not in EMPTY_SET:
            elements.append(value)
    elements.sort(key=str.lower)
    return "-".join(elements) or "clear"


def slit_name(asn) -> str:
    names = []
    for name in ("fxd_slit", "fxd_slit2"):
        found = asn.found_or_none(name)
        if found is None:
            continue
        value = _joined(sorted(found, key=str.lower))
        if value not in EMPTY_SET and value not in names:
            names.append(value)
    names.sort(key=str.lower)
    return "-".join(names)


def subarray(asn) -> str:
    found = asn.found_or_none("subarray")
    if found is None:
        return ""
    value = _joined(found)
    return "" if value == "full" else value


def _dash(text: str) -> str:
    return "-" + text if text else ""


def _head(asn) -> str:
    return f"jw{asn.data['program']}-{asn.acid()[0]}"


def standard(asn, opt_elem: str | None = None) -> str:
    opt = optical_elements(asn) if opt_elem is None else opt_elem
    return (
        f"{_head(asn)}_{level3_target(asn)}_{instrument(asn)}_{opt}"
        f"{_dash(slit_name(asn))}{_dash(subarray(asn))}"
    ).lower()


def no_optical_path(asn) -> str:
    return f"{_head(asn)}_{level3_target(asn)}_{instrument(asn)}".lower()


def coronagraphic_image(asn) -> str:
    return (
        f"{_head(asn)}_{level3_target(asn)}_{instrument(asn)}_{optical_elements(asn)}"
        f"{_dash(subarray(asn))}-image3"
    ).lower()


def multi_object(asn) -> str:
    """MSA spectra: one product per source, named by the pipeline later."""
    return (
        f"{_head(asn)}_{{source_id}}_{instrument(asn)}_{optical_elements(asn)}"
        f"{_dash(slit_name(asn))}{_dash(subarray(asn))}"
    ).lower()


def fixed_slit_sources(asn) -> str:
    return (
        f"{_head(asn)}_{level3_target(asn)}-{{source_id}}_{instrument(asn)}_{optical_elements(asn)}"
        f"-{{slit_name}}{_dash(subarray(asn))}"
    ).lower()


def wavefront_pair(asn) -> str:
    detector = asn.value_of("detector")
    act_id = asn.value_of("act_id")
    act = "" if act_id is None else f"{str(act_id):0>2s}"
    return f"{standard(asn)}-{detector}_{{suffix}}-{act}".lower()
