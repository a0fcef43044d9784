"""Known calibration suffixes, and stripping one from a file name.

Pipeline products are named ``<exposure>_<suffix>.fits``, where the suffix
names the step or stage that wrote them (``rate``, ``cal``, ``x1d``, ...).
Several tools need the exposure part on its own: Level 2 product names made
by ``from-list``, suffix-blind matching in ``edit -i`` and ``diff
--ignore-suffix``.  The word list is the one jwst 3.0.0 recognises, so that a
name is cut at exactly the same place as the pipeline cuts it.
"""

from __future__ import annotations

import re

#: Every suffix the reference recognises (jwst 3.0.0), in alphabetical order.
KNOWN_SUFFIXES: tuple[str, ...] = tuple(
    """
    adaptive_trace_model adaptivetracemodelstep align_refs alignrefsstep ami ami-oi
    ami3pipeline ami_analyze ami_normalize amianalyzestep aminorm aminorm-oi
    aminormalizestep assign_mtwcs assign_wcs assignmtwcsstep assignwcsstep
    backgroundstep badpixselfcalstep barshadowstep bkg_subtract blot bsub bsubints c1d
    cal calints cat chargemigrationstep clean_flicker_noise cleanflickernoisestep
    combine1dstep combine_1d coron3pipeline crf crfints cube_build cubebuildstep dark
    dark_current darkcurrentstep darkpipeline detector1pipeline dq_init dqinitstep
    emicorr emicorrstep engdblog extract1dstep extract2dstep extract_1d extract_2d
    firstframe firstframestep flat_field flatfieldstep fringe fringestep gain_scale
    gainscalestep group_scale groupscalestep guider_cds guidercdsstep guiderpipeline
    hlsp hlspstep i2d image2pipeline image3pipeline imprint imprintstep ipc ipcstep jump
    jumpstep klip klipstep lastframe lastframestep linearity linearitystep
    master_background masterbackgroundmosstep masterbackgroundstep mbsub median
    msaflagopenstep outlier_detection outlierdetectionstep pathloss pathlossstep
    persistence persistencestep phot photom photomstep picture_frame pictureframestep
    pixelreplacestep psfalign psfstack psfsub ramp ramp_fit rampfitstep rate rateints
    refpix refpixstep resample resample_spec resamplespecstep resamplestep reset
    resetstep residual_fringe residualfringestep rscd rscdstep s2d s3d saturation
    saturationstep skymatch skymatchstep snr source_catalog sourcecatalogstep
    sourcetypestep spec2nrslamp spec2pipeline spec3pipeline spectral_leak
    spectralleakstep srctype stackrefs stackrefsstep straylight straylightstep superbias
    superbiasstep targ_centroid targcentroidstep tso3pipeline tsophotometrystep tweakreg
    tweakregstep uncal wavecorrstep wfscmb wfscombine wfscombinestep wfsscontamstep
    white_light whitelightstep whtlt x1d x1dints
    """.split()
)

# The shortest root that leaves exactly "<_ or -><known suffix>" (or nothing)
# behind.  A lazy root plus an optional, fully anchored tail gives that.
_STRIP = re.compile(
    r"^(?P<root>.+?)(?:(?P<separator>[_-])(?:" + "|".join(map(re.escape, KNOWN_SUFFIXES)) + r"))?$"
)


def split_suffix(name: str) -> tuple[str, str]:
    """Return ``(root, separator)`` of ``name`` with one known suffix removed.

    The separator is the ``_`` or ``-`` that preceded the suffix, and ``_``
    when ``name`` has no known suffix (then ``root`` is ``name`` unchanged).
    """
    match = _STRIP.match(name)
    if match is None:  # only the empty string (or a lone newline) gets here
        return name, "_"
    return match.group("root"), match.group("separator") or "_"


def strip_suffix(name: str) -> str:
    """``name`` without its known calibration suffix, if it has one."""
    return split_suffix(name)[0]
