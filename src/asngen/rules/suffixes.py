"""File-name suffixes the JWST pipeline writes, used to find an exposure's root name.

A name such as ``jw01_00001_nrca1_rate`` has root ``jw01_00001_nrca1``: the
shortest leading part followed by ``_`` or ``-`` and one of these words
that ends the name.
"""

from __future__ import annotations

KNOWN_SUFFIXES = frozenset(
    """
    adaptive_trace_model adaptivetracemodelstep align_refs alignrefsstep ami ami-oi
    ami3pipeline ami_analyze ami_normalize amianalyzestep aminorm aminorm-oi
    aminormalizestep assign_mtwcs assign_wcs assignmtwcsstep assignwcsstep backgroundstep
    badpixselfcalstep barshadowstep bkg_subtract blot bsub bsubints c1d cal calints cat
    chargemigrationstep clean_flicker_noise cleanflickernoisestep combine1dstep combine_1d
    coron3pipeline crf crfints cube_build cubebuildstep dark dark_current darkcurrentstep
    darkpipeline detector1pipeline dq_init dqinitstep emicorr emicorrstep engdblog
    extract1dstep extract2dstep extract_1d extract_2d firstframe firstframestep flat_field
    flatfieldstep fringe fringestep gain_scale gainscalestep group_scale groupscalestep
    guider_cds guidercdsstep guiderpipeline hlsp hlspstep i2d image2pipeline image3pipeline
    imprint imprintstep ipc ipcstep jump jumpstep klip klipstep lastframe lastframestep
    linearity linearitystep master_background masterbackgroundmosstep masterbackgroundstep
    mbsub median msaflagopenstep outlier_detection outlierdetectionstep pathloss
    pathlossstep persistence persistencestep phot photom photomstep picture_frame
    pictureframestep pixelreplacestep psfalign psfstack psfsub ramp ramp_fit rampfitstep
    rate rateints refpix refpixstep resample resample_spec resamplespecstep resamplestep
    reset resetstep residual_fringe residualfringestep rscd rscdstep s2d s3d saturation
    saturationstep skymatch skymatchstep snr source_catalog sourcecatalogstep sourcetypestep
    spec2nrslamp spec2pipeline spec3pipeline spectral_leak spectralleakstep srctype
    stackrefs stackrefsstep straylight straylightstep superbias superbiasstep targ_centroid
    targcentroidstep tso3pipeline tsophotometrystep tweakreg tweakregstep uncal wavecorrstep
    wfscmb wfscombine wfscombinestep wfsscontamstep white_light whitelightstep whtlt x1d
    x1dints
    """.split()
)


def remove_suffix(name: str) -> tuple[str, str]:
    """Split a known trailing suffix off ``name``: (root, separator).

    The separators are tried from the left (the shortest root wins), found
    with ``str.find`` rather than by looking at every character: a pool's
    file names are 40 characters with four or five separators, and this
    runs once for every member's name.  A str subclass is read as its text (compiled, the
    text is a plain str: suffixes.pxd).
    """
    text = name if type(name) is str else str(name)
    marked = text.replace("-", "_") if "-" in text else text  # one kind of separator to find
    last = len(text) - 2  # a separator needs a character before and after it
    index = marked.find("_", 1)
    while 0 < index <= last:
        if text[index + 1 :] in KNOWN_SUFFIXES:
            return text[:index], text[index]
        index = marked.find("_", index + 1)
    return text, "_"


def is_bare_name(path: str) -> bool:
    """A file name without a folder (on any platform), which ``PurePath`` leaves as it is."""
    return "/" not in path and "\\" not in path and path not in ("", ".")


def stem(path: str) -> str:
    """``PurePath(path).stem``: for a bare file name, the same answer without a path object
    (making one costs a hundred times more, and this runs for every member compared).  A
    str subclass is read as its text, as in :func:`remove_suffix`."""
    text = path if type(path) is str else str(path)
    if not is_bare_name(text):
        from pathlib import PurePath  # rare (see is_bare_name): not imported at start

        return PurePath(text).stem
    dot = text.rfind(".")
    return text[:dot] if 0 < dot < len(text) - 1 else text


_ROOTS: dict[str, str] = {}
#: names remembered at most: pruning compares members of one product group at a time, so
#: a small table answers nearly every repeat; a table of every name would keep the
#: member names alive that members make again on reading (asngen.member.RenamedFile)
_ROOTS_LIMIT = 50_000


def exposure_root(path: str) -> str:
    """The exposure a file stands for: its stem without a known trailing suffix
    (``jw..._nrca1_rate.fits`` -> ``jw..._nrca1``).  Remembered per name: pruning
    compares every member of a product with every member of another."""
    roots = _ROOTS  # a local: compiled, its type is known (suffixes.pxd): C look-ups
    root = roots.get(path)
    if root is None:
        root = remove_suffix(stem(path))[0]
        if len(roots) >= _ROOTS_LIMIT:
            roots.clear()
        roots[path] = root
    return root
