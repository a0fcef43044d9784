"""An example user rule file: NIRCam images of one filter, whatever the target.

Load it with ``asngen generate POOL -r examples/my_rules.py`` (added to the
built-in rules) or ``-r examples/my_rules.py --ignore-default`` (alone).
"""

from asngen.engine.constraints import All, Attr
from asngen.rules import level3 as l3
from asngen.rules import naming
from asngen.rules.model import Rule

RULES = [
    Rule(
        name="Asn_MyFilterStack",
        level=3,
        asn_type="image3",
        doc="Every NIRCam image of one filter and pupil in the program, in one product.",
        constraints=lambda: l3.science(
            All(
                Attr(["exp_type"], name="exp_type", value="nrc_image"),
                Attr(["filter"], name="opt_elem"),
                Attr(["pupil"], name="opt_elem2"),
                Attr(["subarray"], name="subarray"),
            )
        ),
        exposure_type=l3.exposure_type,
        product_name=naming.standard,
        validity=(("has_science", l3.has_science),),
        finalize=l3.finalize_science,
    ),
]

FINALIZE = l3.finalize_level3
