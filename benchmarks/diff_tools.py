#!/usr/bin/env python3
"""Run asngen's companion commands and the reference's on random cases and compare the files.

    python benchmarks/diff_tools.py from-list --seeds 1-300
    python benchmarks/diff_tools.py edit --seeds 1-300 [--asn-dir DIR]
    python benchmarks/diff_tools.py make-pool --seeds 1-300
    python benchmarks/diff_tools.py gather --seeds 1-300 [--asn-dir DIR]

``diff_reference.py`` checks ``asngen generate`` against ``asn_generate``;
this tool does the same for ``from-list`` (``asn_from_list``), ``edit``
(``asn_edit``), ``make-pool`` (``asn_make_pool``) and ``gather``
(``asn_gather``, both copying with ``cp``).  Each seed makes one
case -- file names of many shapes (folders, calibration suffixes,
extensions), a rule, a product name, an id, a format; an association of the
golden corpus with files added or removed, or gathered with some of its
members missing and exposure types kept or left out; FITS files whose
primary headers hold keywords of every value type --
and runs both programs in scratch folders of their own.  They agree when both
fail (the reference may leave an empty output file behind, which asngen never
does), or both succeed and write the same bytes (``code_version`` aside).

The reference's commands are found beside ``$ASNGEN_REFERENCE`` (its
``asn_generate``), as for the other tools; they are only run, never imported.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REFERENCE_BIN = Path(os.environ.get("ASNGEN_REFERENCE") or "/opt/jwstref/bin/asn_generate").parent
OURS = [sys.executable, "-m", "asngen"]
GOLDEN_CASES = Path("/work/shared/golden/cases")

#: rule names asn_from_list knows, a few it does not, the defaults more often
RULES = ("DMS_Level3_Base", "DMSLevel2bBase", "Association", "Asn_Lv3Image", "Asn_Lv2Image",
         "Asn_Lv3SpecAux", "Asn_Lv2Spec", "Asn_Lv3WFSCMB", "Asn_Lv2WFSS", "Asn_Lv3Coron", "NoSuchRule",
         "Asn_Lv3TSO", "Asn_Lv2NRSMSA", "Asn_Lv3AMI", "DMS_Level3_Base", "DMSLevel2bBase")
STEMS = ("jw00001001001_01101_00001_nrca1", "a", "b_c", "jw01234-o001_t001_nircam_clear-f200w", "x.y",
         "file-1", "UPPER_Case")
SUFFIXES = ("_cal", "_rate", "_rateints", "_uncal", "_i2d", "_calints", "_s2d", "_x1d", "", "_crf",
            "_o001_crf", "_foo")
EXTENSIONS = (".fits", ".fits", ".json", "", ".fits.gz", ".asdf")
FOLDERS = ("", "", "d/", "a/b/", "../up/", "/abs/")
EXPTYPES = ("science", "background", "psf", "imprint", "target_acquisition", "sourcecat")
_CODE_VERSION = re.compile(r'("code_version": "[^"]*"|code_version: \S+)')


def _file_name(rng: random.Random) -> str:
    return rng.choice(FOLDERS) + rng.choice(STEMS) + rng.choice(SUFFIXES) + rng.choice(EXTENSIONS)


def from_list_case(rng: random.Random) -> tuple[list[str], str, list[str]]:
    """(options and files, output file name, files to create): one asn_from_list command."""
    files = [_file_name(rng) for _ in range(rng.randint(0, 5))]
    if files and rng.random() < 0.1:
        files.append(files[0])
    options: list[str] = []
    rule = rng.choice((*RULES, None))
    if rule:
        options += ["-r", rule]
    if rng.random() < 0.7:
        options += ["--product-name", rng.choice(("My_Mosaic", "prod", "a b", "UP", "x/y", ""))]
    if rng.random() < 0.3:
        options += ["-i", rng.choice(("o001", "c1000", "a3001", "r001", "zz"))]
    fmt = rng.choice(("json", "json", "yaml", None))
    if fmt:
        options += ["-f", fmt]
    output = "asn.yaml" if fmt == "yaml" else "asn.json"
    return ["-o", output, *options, *files], output, []


def _corpus_associations(folder: Path) -> list[Path]:
    return sorted(path for path in folder.rglob("*_asn.json"))


def _members(asn_file: Path) -> list[tuple[str, str]]:
    """(expname, exptype) of every member of an association file, product by product."""
    data = json.loads(asn_file.read_text())
    return [(member["expname"], member["exptype"]) for product in data.get("products", [])
            for member in product["members"]]


def edit_case(rng: random.Random, associations: list[Path]) -> tuple[list[str], str, list[str], Path]:
    """(options, file compared, files to create, association copied in): one asn_edit command."""
    source = rng.choice(associations)
    names = [name for name, _ in _members(source)]
    output = "asn.json"
    options: list[str] = []
    create: list[str] = []
    if rng.random() < 0.5 or not names:
        options.append("-a")
        files = [rng.choice(STEMS) + rng.choice(SUFFIXES) + ".fits" for _ in range(rng.randint(1, 3))]
        if names and rng.random() < 0.2:
            files.append(rng.choice(names))  # already a member
        create = [name for name in files if rng.random() < 0.9]  # adding a missing file fails
        if rng.random() < 0.7:
            options += ["-t", rng.choice(EXPTYPES)]
    else:
        options.append("-r")
        files = []
        for name in rng.sample(names, min(len(names), rng.randint(1, 3))):
            stem = name.rsplit("_", 1)[0] if "_" in name else name
            files.append(rng.choice((name, stem + "_rate.fits", stem + "_cal.fits", "other.fits")))
        if rng.random() < 0.5:
            options.append("-i")
    if rng.random() < 0.4:
        output = "out.json"
        options += ["-o", output]
    return [*options, "asn.json", *files], output, create, source


#: header keywords of the cases (a value chooser each): the usual pool columns, and values of
#: every FITS type, texts holding the pool's delimiter, quotes and spaces
KEYWORDS = {
    "PROGRAM": lambda rng: rng.choice(("01234", "1234", "00001")),
    "OBS_NUM": lambda rng: rng.choice(("001", "2", "010")),
    "EXP_TYPE": lambda rng: rng.choice(("NRC_IMAGE", "MIR_LRS-FIXEDSLIT", "NRS_MSASPEC", "")),
    "FILTER": lambda rng: rng.choice(("F200W", "CLEAR", "f444w", "N/A")),
    "TARGETID": lambda rng: rng.randint(1, 3),
    "NINTS": lambda rng: rng.randint(0, 100),
    "EXPTIME": lambda rng: rng.choice((0.0, 1.5, 1e-7, 123456789.125, -2.0, 1e20)),
    "BKGDTARG": lambda rng: rng.random() < 0.5,
    "IS_PSF": lambda rng: rng.choice((True, False, "T", "f")),
    "TARGNAME": lambda rng: rng.choice(("NGC 1234", "a|b", 'say "hi"', "  padded  ", "it's", "")),
    "DATE-OBS": lambda rng: rng.choice(("2022-07-12", "2023-01-01")),
    "ASNPOOL": lambda rng: rng.choice(("[('o001', 'observation')]", "null", "NULL")),
}


def make_pool_case(rng: random.Random) -> tuple[list[str], str, dict[str, dict]]:
    """(options and files, pool file, headers of the files to create): one asn_make_pool command."""
    headers = {}
    for number in range(rng.randint(1, 4)):
        chosen = rng.sample(sorted(KEYWORDS), rng.randint(1, len(KEYWORDS)))
        cards = {keyword: KEYWORDS[keyword](rng) for keyword in chosen}
        if rng.random() < 0.95:  # (both programs need these two: a few cases go without)
            cards["OBSERVTN"] = rng.choice(("001", "2", "abc"))
        if "TARGNAME" not in cards and rng.random() < 0.95:
            cards["TARGNAME"] = KEYWORDS["TARGNAME"](rng)
        headers[f"jw{number:05d}_{rng.choice(('cal', 'rate', 'uncal'))}.fits"] = cards
    options: list[str] = []
    for option, values in (
        # (not a list, or an empty one: asngen refuses what the reference cuts a character off,
        # and adds nothing for [] where the reference adds ", ]"; see docs/tools.md)
        ("--asn-candidate", ("[('o001', 'observation')]", "[('c1000', 'background'), ('c1001', 'psf')]")),
        ("--dms-note", ("note", "a b", "")),
        ("--is-imprt", ("t", "f")),
        ("--pntgtype", ("science", "target_acquisition")),
    ):
        if rng.random() < 0.3:
            options += [option, rng.choice(values)]
    return ["pool.csv", *headers, *options], "pool.csv", headers


def _write_fits(folder: Path, headers: dict[str, dict]) -> None:
    from astropy.io import fits

    for name, cards in headers.items():
        header = fits.Header()
        for keyword, value in cards.items():
            header[keyword] = value
        fits.PrimaryHDU(header=header).writeto(folder / name)


def gather_case(rng: random.Random, associations: list[Path]) -> tuple[list[str], list[str], Path]:
    """(options, member files to create, association copied in): one asn_gather command.

    The destination is ``dest``; copies are made with ``cp`` by both (the reference's rsync
    is not on every machine, and asngen runs the same command when given one)."""
    source = rng.choice(associations)
    members = _members(source)
    create = list(dict.fromkeys(name for name, _ in members))
    if create and rng.random() < 0.2:  # a member file missing
        create.remove(rng.choice(create))
    options = ["-c", "cp"]
    types = sorted({exptype for _, exptype in members})
    if types and rng.random() < 0.3:
        options += ["-t", rng.choice(types)]
    if types and rng.random() < 0.3:
        options += ["-x", rng.choice(types)]
    return [*options, "asn.json", "dest"], create, source


def _folder_text(folder: Path) -> str | None:
    """Every file of ``folder`` by name, with its text (code_version aside), as one text."""
    if not folder.is_dir():
        return None
    return "\n".join(f"{path.name}: {_text(path)}" for path in sorted(folder.iterdir()))


def _run(command: list[str], cwd: Path) -> tuple[int, str]:
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    return done.returncode, done.stderr


def _text(path: Path) -> str | None:
    return _CODE_VERSION.sub("code_version", path.read_text()) if path.exists() else None


#: how many cases both programs refused (a count kept for the summary)
FAILED_BOTH = [0]


def compare_case(tool: str, argv: list[str], output: str, create: list[str], asn: Path | None,
                 work: Path, headers: dict[str, dict] | None = None) -> str | None:
    """None when both programs agree, else a line saying how they differ."""
    reference = {"from-list": "asn_from_list", "edit": "asn_edit", "make-pool": "asn_make_pool",
                 "gather": "asn_gather"}[tool]
    results = {}
    for side, command in (("ref", [str(REFERENCE_BIN / reference)]), ("ours", [*OURS, tool])):
        folder = work / side
        folder.mkdir(parents=True)
        for name in create:
            (folder / name).touch()
        if headers:
            _write_fits(folder, headers)
        if tool == "gather":
            (folder / output).mkdir()  # (asngen would make it; the reference's copies need it)
        if asn is not None:
            shutil.copyfile(asn, folder / "asn.json")
        status, stderr = _run([*command, *argv], folder)
        written = _folder_text(folder / output) if tool == "gather" else _text(folder / output)
        results[side] = (status, written, stderr.strip().splitlines()[-1:])
    (ref_status, ref_text, ref_err), (our_status, our_text, our_err) = results["ref"], results["ours"]
    FAILED_BOTH[0] += ref_status != 0 and our_status != 0
    if (ref_status == 0) != (our_status == 0):
        return f"exit {our_status} (reference {ref_status}); reference: {ref_err} asngen: {our_err}"
    if ref_status != 0:
        return None  # (the reference may leave an empty file behind; asngen writes none)
    if ref_text != our_text:
        return "the files differ" if ref_text and our_text else "one of them wrote no file"
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("tool", choices=("from-list", "edit", "make-pool", "gather"))
    parser.add_argument("--seeds", default="1-100", help="seeds, e.g. 1-300 (default 1-100)")
    parser.add_argument("--asn-dir", type=Path, default=GOLDEN_CASES,
                        help="associations to edit (default: the golden corpus's)")
    parser.add_argument("--keep", type=Path, help="keep both folders of disagreeing cases here")
    args = parser.parse_args(argv)
    low, _, high = args.seeds.partition("-")
    seeds = range(int(low), int(high or low) + 1)
    associations = _corpus_associations(args.asn_dir) if args.tool in ("edit", "gather") else []
    differ = 0
    for seed in seeds:
        rng = random.Random(seed)
        asn, headers, create = None, None, []
        if args.tool == "from-list":
            command, output, create = from_list_case(rng)
        elif args.tool == "edit":
            command, output, create, asn = edit_case(rng, associations)
        elif args.tool == "make-pool":
            command, output, headers = make_pool_case(rng)
        else:
            (command, create, asn), output = gather_case(rng, associations), "dest"
        with tempfile.TemporaryDirectory(prefix="difftools_") as tmp:
            problem = compare_case(args.tool, command, output, create, asn, Path(tmp), headers)
            if problem is not None:
                differ += 1
                source = f" on {asn}" if asn is not None else ""
                print(f"DIFFER seed {seed}: {args.tool} {' '.join(command)}{source}\n  {problem}", flush=True)
                if args.keep is not None:
                    shutil.copytree(tmp, args.keep / f"{args.tool}_{seed}", dirs_exist_ok=True)
    print(f"{len(seeds)} {args.tool} cases: {len(seeds) - differ} agree ({FAILED_BOTH[0]} of them both"
          f" refusing), {differ} differ")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
