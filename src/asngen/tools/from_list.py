"""Build an association from a list of file names (the reference's ``asn_from_list``).

Three shapes exist, chosen by the rule name:

* **Level 3** (``DMS_Level3_Base``, the default, or any ``Asn_Lv3...`` rule):
  one product called ``product_name`` holding every file as a member.
* **Level 2** (``DMSLevel2bBase`` or any ``Asn_Lv2...`` rule): one product
  per file, named after the file without its extension and known calibration
  suffix (``d/x_rate.fits`` gives ``d/x``).
* **Bare** (``Association``): just ``members``, a list of the names.

The result carries the same placeholder values the pipeline writes for a
hand-made association (program ``noprogram``, pool ``none``, id ``a3001``,
type ``"None"``, ...), so its bytes equal the reference's except for
``code_version``, which names asngen.  As in the reference, the acid given
with ``-i`` is checked for Level 2 but never appears in the file: an ``oNNN``
id is an observation's, a ``cNNNN`` id a background candidate's, which makes a
valid association only if a member is a background exposure.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from .. import __version__
from ..errors import AsngenError, UsageError
from ..model import Association
from ..rules.suffixes import remove_suffix

DEFAULT_RULE = "DMS_Level3_Base"
DEFAULT_ACID = "o999"
UNDEFINED_PRODUCT = "undefined"  # Level 2 product without a science member
NO_DEGRADATION = "No known degraded exposures in association."

#: Rule names of the standard rule set, by the level of association they make.
LEVEL2_RULES = frozenset(
    """
    DMSLevel2bBase AsnMixin_Lv2Spectral Asn_Lv2CoronAsRate Asn_Lv2FGS Asn_Lv2Image
    Asn_Lv2ImageNonScience Asn_Lv2ImageSpecial Asn_Lv2ImageTSO Asn_Lv2MIRLRSFixedSlitNod
    Asn_Lv2NRSFSS Asn_Lv2NRSIFUNod Asn_Lv2NRSLAMPImage Asn_Lv2NRSLAMPSpectral Asn_Lv2NRSMSA
    Asn_Lv2Spec Asn_Lv2SpecImprint Asn_Lv2SpecSpecial Asn_Lv2SpecTSO Asn_Lv2WFSC
    Asn_Lv2WFSSMIR Asn_Lv2WFSSNIS Asn_Lv2WFSSNRC Asn_Lv2WFSSParallel Asn_MIRLRSTAConfirm
    """.split()
)
LEVEL3_RULES = frozenset(
    """
    DMS_Level3_Base Asn_Lv3ACQ_Reprocess Asn_Lv3AMI Asn_Lv3Image Asn_Lv3ImageBackground
    Asn_Lv3ImageMosaic Asn_Lv3MIRCoron Asn_Lv3MIRMRS Asn_Lv3MIRMRSBackground Asn_Lv3NRCCoron
    Asn_Lv3NRCCoronImage Asn_Lv3NRSFSS Asn_Lv3NRSIFU Asn_Lv3NRSIFUBackground
    Asn_Lv3SlitlessSpectral Asn_Lv3SpecAux Asn_Lv3SpectralSource Asn_Lv3SpectralTarget
    Asn_Lv3TSO Asn_Lv3WFSCMB Asn_Lv3WFSSMIR Asn_Lv3WFSSNIS Asn_Lv3WFSSNRC
    """.split()
)
BARE_RULE = "Association"

# Rules that demand more than a science member before they count as valid.
_NEEDS_PSF = frozenset({"Asn_Lv3AMI", "Asn_Lv3MIRCoron", "Asn_Lv3NRCCoron"})
_NEEDS_PAIR = frozenset({"Asn_Lv3WFSCMB"})
# A list-made association is a discovered (a3001) one, which these never accept.
_NEEDS_CANDIDATE = {"Asn_Lv3TSO": "observation", "Asn_Lv3ImageMosaic": "mosaic"}

Item = str | Path | tuple[str | Path, str]


def rule_names() -> list[str]:
    """Every rule name ``from_list`` accepts, sorted."""
    return sorted(LEVEL2_RULES | LEVEL3_RULES | {BARE_RULE})


def from_list(
    items: Iterable[Item],
    *,
    rule: str = DEFAULT_RULE,
    product_name: str | None = None,
    acid: str = DEFAULT_ACID,
) -> Association:
    """Make an association whose members are ``items``.

    Each item is a file name (a ``science`` member) or an ``(name, exptype)``
    pair.  ``product_name`` is required for Level 3 rules and ignored by
    Level 2 ones.  Raises :class:`~asngen.errors.AsngenError` when the rule
    is unknown or the result would not be a valid association of that rule.
    """
    pairs = [_pair(item) for item in items]
    if rule == BARE_RULE:
        return Association(_header(rule) | {"members": [name for name, _ in pairs]})
    if rule in LEVEL2_RULES:
        data = _level2(pairs, rule, acid)
    elif rule in LEVEL3_RULES:
        data = _level3(pairs, rule, product_name)
    else:
        raise UsageError(
            f"unknown rule {rule!r}; use DMS_Level3_Base, DMSLevel2bBase, Association "
            "or a rule name of the standard rules such as Asn_Lv3Image"
        )
    _check_validity(data, rule)
    return Association(data)


def _pair(item: Item) -> tuple[str, str]:
    if isinstance(item, tuple):
        if len(item) != 2:
            raise AsngenError(f"a list item must be a name or a (name, exptype) pair, not {item!r}")
        return str(item[0]), str(item[1])
    return str(item), "science"


def _header(rule: str) -> dict[str, Any]:
    return {"asn_type": "None", "asn_rule": rule, "version_id": None, "code_version": __version__}


def _level3(pairs: Sequence[tuple[str, str]], rule: str, product_name: str | None) -> dict[str, Any]:
    if product_name is None:
        raise UsageError(f"a Level 3 association ({rule}) needs a product name (--product-name)")
    data = _header(rule)
    data.update(
        degraded_status=NO_DEGRADATION,
        program="noprogram",
        constraints="No constraints",
        asn_id="a3001",
        target="none",
        asn_pool="none",
        products=[
            {
                "name": product_name,
                "members": [{"expname": name, "exptype": exptype} for name, exptype in pairs],
            }
        ],
    )
    return data


def _level2(pairs: Sequence[tuple[str, str]], rule: str, acid: str) -> dict[str, Any]:
    if not acid.startswith(("o", "c")):
        raise UsageError(
            f"invalid association id {acid!r}: a Level 2 id must look like oNNN (observation) "
            "or cNNNN (background)"
        )
    if acid.startswith("c") and not any(exptype.lower() == "background" for _, exptype in pairs):
        # a c-id is taken for a background candidate, valid only with a background member
        raise AsngenError(
            f"the association would not be valid: the candidate id {acid!r} is a background "
            "candidate's, and it has no background member (use an oNNN id for science files)"
        )
    products = []
    for name, exptype in pairs:
        exptype = exptype or "science"  # an empty type means science at Level 2
        products.append(
            {
                "name": level2_product_name(name) if exptype == "science" else UNDEFINED_PRODUCT,
                "members": [{"expname": name, "exptype": exptype}],
            }
        )
    data = _header(rule)
    data.update(
        degraded_status=NO_DEGRADATION,
        program="noprogram",
        constraints="No constraints",
        asn_id="a3001",
        asn_pool="none",
        products=products,
    )
    return data


def level2_product_name(expname: str) -> str:
    """The Level 2 product name of a science file: folder + stem, known suffix removed."""
    path = Path(expname)
    return _root(str(path.parent / path.stem))


def _check_validity(data: dict[str, Any], rule: str) -> None:
    members = [member for product in data["products"] for member in product["members"]]
    exptypes = [member["exptype"] for member in members]
    reasons = []
    if "science" not in exptypes:
        reasons.append("it has no science member")
    if rule in _NEEDS_PSF and "psf" not in exptypes:
        reasons.append(f"{rule} needs a psf member")
    if rule in _NEEDS_PAIR and len(members) < 2:
        reasons.append(f"{rule} needs at least two members")
    if rule in _NEEDS_CANDIDATE:
        reasons.append(
            f"{rule} accepts only {_NEEDS_CANDIDATE[rule]} candidates, "
            "and a list-made association is a discovered one"
        )
    if reasons:
        raise AsngenError(f"the association would not be valid: {'; '.join(reasons)}")


def _root(name: str) -> str:
    """``name`` without its known calibration suffix (``x_rate`` -> ``x``)."""
    return remove_suffix(name)[0]
