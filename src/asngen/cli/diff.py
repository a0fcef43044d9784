"""``asngen diff``: compare two sets of associations."""

from __future__ import annotations

import argparse

USAGE = """\
asngen diff [-h] [--json] [--ignore-suffix] LEFT... -- RIGHT...
       asngen diff [-h] [--json] [--ignore-suffix] LEFT RIGHT"""

DESCRIPTION = """\
Compare two sets of associations and list, product by product, what differs:
products only on one side, members dropped or added, exposure types changed,
association type, id, rule or other attributes changed, products renamed.

Give the two sets separated by "--" (each a list of files and/or folders),
or just two files or two folders.  A folder stands for its .json/.yaml
files; files in it that are not associations (no "products") are skipped.

The order of files, products and members is not compared, nor are
code_version, version_id and the constraints text.

Exit status: 0 when the sets are equivalent, 1 when they differ, 2 when an
input cannot be read or is not a valid association.
"""

EPILOG = """\
examples:
  asngen diff expected/ actual/
  asngen diff --json old/*_asn.json -- new/*_asn.json
"""

_FLAGS = {"--json": "json", "--ignore-suffix": "ignore_suffix"}


def configure(parser: argparse.ArgumentParser) -> None:
    parser.usage = USAGE
    parser.description = DESCRIPTION
    parser.epilog = EPILOG
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.add_argument("--json", action="store_true", help="write the findings as JSON")
    parser.add_argument("--ignore-suffix", action="store_true",
                        help="match members without their calibration suffix (x_rate ~ x_cal)")
    # REMAINDER keeps the "--" that separates the two sides (argparse drops it otherwise)
    parser.add_argument("paths", nargs=argparse.REMAINDER, metavar="PATH",
                        help="LEFT... -- RIGHT..., or two files, or two folders")


def split_sides(args: argparse.Namespace) -> tuple[list[str], list[str]]:
    """The two sides from the positional words; flags given after a path still count."""
    from ..errors import UsageError

    words = []
    for word in args.paths:
        if word in _FLAGS:
            setattr(args, _FLAGS[word], True)
        elif word.startswith("-") and word != "--":
            raise UsageError(f"unknown option {word!r}")
        else:
            words.append(word)
    if "--" in words:
        cut = words.index("--")
        left, right = words[:cut], words[cut + 1:]
        if "--" in right:
            raise UsageError('give "--" only once, between the two sides')
    elif len(words) == 2:
        left, right = words[:1], words[1:]
    else:
        raise UsageError("give two files, two folders, or LEFT... -- RIGHT...")
    if not left or not right:
        raise UsageError("both sides need at least one file or folder")
    return left, right


def run(args: argparse.Namespace) -> int:
    import sys

    from ..errors import AsngenError
    from ..tools.diff import compare

    try:
        left, right = split_sides(args)
        result = compare(left, right, ignore_suffix=args.ignore_suffix)
    except AsngenError as err:
        err.exit_status = 2  # 1 means "different"
        raise
    sys.stdout.write(result.to_json() if args.json else result.to_text())
    return 0 if result.equivalent else 1
