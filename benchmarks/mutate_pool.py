#!/usr/bin/env python3
"""Write new pools derived from real ones: rows dropped, reordered, cells and candidates changed.

    python benchmarks/mutate_pool.py POOL [POOL ...] --seeds 1-40 -o DIR
    python benchmarks/diff_reference.py DIR/*.csv -j 1

``make_pool.py`` writes pools the way our own model of a program says they
look; a pool nobody has seen may look otherwise.  This tool starts from the
real pools of the golden corpus (their odd columns, lower-case values, comment
lines, mixed candidate lists) and changes them the way real programs differ
from one another: some exposures missing, exposures in another order, values
of one exposure found on another, empty cells, candidate lists that name other
candidates.  What the reference does with such a pool is the specification,
so every pool written here is worth a run of ``diff_reference.py``.

With ``--more`` three other kinds are drawn too: a column the rules read taken
out (older pools lack columns newer ones have), one column's values written in
another form (leading zeros, another spelling of an empty cell, upper case),
and a candidate id given another type in all or some of its rows.
Such pools are named ``SOURCE__mm17.csv``.

With ``--rule-values`` a pool's first mutation writes values one standard rule
tests for (``NRC_CORON`` with ``SUBARRAY`` ``FULL``, ``NRS_LAMP`` through the
``MIRROR``, ``NIS_SOSS`` outside a time series...) into a group of rows, a
column the pool lacks added first, and zero to two other mutations follow:
the corpus's pools reach only the combinations their programs held, and a
rule no pool reaches is a rule never compared with the reference.  Such pools
are named ``SOURCE__mr17.csv`` (``__mmr17`` with ``--more`` too).

Each output pool gets one to three mutations, chosen and applied from its seed
alone (``Rng``: stable across Python versions), so a disagreement found on
``SOURCE__m17.csv`` is reproduced by writing seed 17 of ``SOURCE`` again.  The
mutations applied are written into the pool's comment lines.
"""

from __future__ import annotations

import argparse
import functools
import os
import re
import sys
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from pool_rows import Rng  # noqa: E402
from pool_text import CANDIDATE_ID, PoolText  # noqa: E402 - beside this script

#: cells never changed: the file name identifies the exposure (a duplicate is its own mutation)
_FIXED = {"filename"}
#: the empty cell of a pool: the form most of its empty cells take
_EMPTY_FORMS = ("NULL", "null", "None", "")


def _empty_form(pool: PoolText) -> str:
    counts = {form: 0 for form in _EMPTY_FORMS}
    for row in pool.rows:
        for cell in row:
            if cell in counts:
                counts[cell] += 1
    return max(_EMPTY_FORMS, key=lambda form: counts[form])


#: the columns the standard rules read (their row tests, patterns and key columns): most
#: changes go to these, the rest to any column
RULE_COLUMNS = frozenset({
    "act_id", "asn_candidate", "band", "bkgdtarg", "channel", "detector", "dithptin", "dms_note",
    "exp_type", "expspcin", "exposerr", "exposure", "filter", "fxd_slit", "grating", "instrume",
    "is_imprt", "is_psf", "lamp", "module", "mostilno", "msametfl", "msastate", "nexposur", "nints",
    "numdthpt", "obs_id", "obs_num", "opmode", "patt_num", "patttype", "pntgtype", "program",
    "pupil", "subarray", "subpxpns", "subpxpts", "targetid", "tsovisit", "visit_id", "visitype",
})  # fmt: skip


def _changeable_columns(pool: PoolText, rng: Rng) -> list[int]:
    """Columns whose values differ between rows (changing the others changes nothing); four
    times in five only those of them the rules read, if the pool has any."""
    found = []
    for index, name in enumerate(pool.header):
        if name.strip().lower() in _FIXED:
            continue
        values = {row[index] for row in pool.rows if index < len(row)}
        if len(values) > 1:
            found.append(index)
    if rng.chance(0.8):
        read = [index for index in found if pool.header[index].strip().lower() in RULE_COLUMNS]
        return read or found
    return found


def drop_rows(pool: PoolText, rng: Rng) -> str:
    keep = 0.4 + 0.5 * rng.random()
    kept = [row for row in pool.rows if rng.chance(keep)]
    pool.rows = kept or pool.rows[:1]
    return f"drop rows (kept {len(pool.rows)})"


def reorder_rows(pool: PoolText, rng: Rng) -> str:
    how = rng.below(3)
    if how == 0:
        pool.rows = rng.shuffled(pool.rows)
        return "shuffle rows"
    if how == 1:
        pool.rows.reverse()
        return "reverse rows"
    cut = rng.between(1, max(1, len(pool.rows) - 1))
    pool.rows = pool.rows[cut:] + pool.rows[:cut]
    return f"rotate rows by {cut}"


def swap_cells(pool: PoolText, rng: Rng) -> str:
    """Some columns' values moved between rows (each value one the column already holds)."""
    columns = _changeable_columns(pool, rng)
    if not columns or len(pool.rows) < 2:
        return "swap cells (none)"
    chosen = rng.sample(columns, rng.between(1, min(3, len(columns))))
    for index in chosen:
        for _ in range(rng.between(1, max(1, len(pool.rows) // 8))):
            a, b = rng.below(len(pool.rows)), rng.below(len(pool.rows))
            row_a, row_b = pool.rows[a], pool.rows[b]
            if index < len(row_a) and index < len(row_b):
                row_a[index], row_b[index] = row_b[index], row_a[index]
    return "swap cells in " + ",".join(pool.header[i].strip() for i in chosen)


def empty_cells(pool: PoolText, rng: Rng) -> str:
    columns = _changeable_columns(pool, rng)
    if not columns:
        return "empty cells (none)"
    empty = _empty_form(pool)
    chosen = rng.sample(columns, rng.between(1, min(2, len(columns))))
    for index in chosen:
        for row in pool.rows:
            if index < len(row) and rng.chance(0.15):
                row[index] = empty
    return "empty cells in " + ",".join(pool.header[i].strip() for i in chosen)


def _candidate_entries(pool: PoolText) -> tuple[int | None, list[str]]:
    """The ASN_CANDIDATE column's position and every distinct entry its lists hold."""
    index = pool.column("asn_candidate")
    if index is None:
        return None, []
    entries = {entry for row in pool.rows if index < len(row) for entry in _entries(row[index]) or ()}
    return index, sorted(entries)


def edit_candidates(pool: PoolText, rng: Rng) -> str:
    """Candidate lists that lose an entry, or gain one another row lists."""
    index, entries = _candidate_entries(pool)
    if index is None:
        return "edit candidates (no column)"
    if not entries:
        return "edit candidates (none)"
    changed = 0
    for row in pool.rows:
        if index >= len(row) or not rng.chance(0.2):
            continue
        own = _entries(row[index])
        if own is None:
            continue
        if own and rng.chance(0.4):
            own.pop(rng.below(len(own)))
        else:
            extra = rng.pick(entries)
            if extra not in own:
                own.insert(rng.below(len(own) + 1), extra)
        row[index] = "[" + ", ".join(own) + "]"
        changed += 1
    return f"edit candidates ({changed} rows)"


def _entries(cell: str) -> list[str] | None:
    """The ``('id', 'type')`` entries of a candidate cell as text, or None if it is not such a list."""
    text = cell.strip()
    if not (text.startswith("[") and text.endswith("]")):
        return None
    body = text[1:-1].strip()
    if not body:
        return []
    parts = [part.strip() for part in body.replace("),", ")\0").split("\0")]
    if not all(
        part.startswith("(") and part.endswith(")") and CANDIDATE_ID.search(part) for part in parts
    ):
        return None
    return parts


def duplicate_rows(pool: PoolText, rng: Rng) -> str:
    count = rng.between(1, max(1, len(pool.rows) // 20))
    for _ in range(count):
        position = rng.below(len(pool.rows))
        pool.rows.insert(rng.below(len(pool.rows) + 1), list(pool.rows[position]))
    return f"duplicate {count} rows"


def drop_column(pool: PoolText, rng: Rng) -> str:
    """A column the rules read taken out of the pool: older pools lack columns newer ones
    have (the reference reads a missing value as undefined, or stops)."""
    present = [
        index for index, name in enumerate(pool.header)
        if name.strip().lower() in RULE_COLUMNS and name.strip().lower() != "asn_candidate"
    ]
    if not present or len(pool.header) < 3:
        return "drop column (none)"
    index = rng.pick(present)
    name = pool.header[index].strip()
    del pool.header[index]
    for row in pool.rows:
        if index < len(row):
            del row[index]
    return f"drop column {name}"


def _reformed(cell: str, how: int, empty: str) -> str:
    if how == 0 and cell.isdigit() and len(cell) > 1:  # zero padding dropped
        return cell.lstrip("0") or "0"
    if how == 1 and cell.isdigit():  # zero padding added
        return cell.zfill(len(cell) + 2)
    if how == 2 and cell == empty:  # another spelling of an empty cell
        return next(form for form in _EMPTY_FORMS if form != empty)
    if how == 3:  # upper case (the pool reader lower-cases every cell)
        return cell.upper()
    return cell


def reform_values(pool: PoolText, rng: Rng) -> str:
    """One column's values written in another form: numbers with more or fewer leading
    zeros, empty cells spelt another way, upper case. Real pools differ in such forms."""
    columns = _changeable_columns(pool, rng)
    if not columns:
        return "reform values (none)"
    index = rng.pick(columns)
    how = rng.below(4)
    share = rng.pick((0.3, 1.0))
    empty = _empty_form(pool)
    for row in pool.rows:
        if index < len(row) and rng.chance(share):
            row[index] = _reformed(row[index], how, empty)
    what = ("unpadded", "padded", "other empty form", "upper case")[how]
    return f"reform values in {pool.header[index].strip()} ({what})"


#: candidate types a pool may give an id: those of the corpus, and one no rule knows
_CANDIDATE_TYPES = ("observation", "mosaic", "group", "coronagraphy", "background", "psf", "ami",
                    "unknown_kind")


def retype_candidates(pool: PoolText, rng: Rng) -> str:
    """One candidate id given another type, in every row that lists it or in some of them
    (an id of two types): passes are run, and rules left out, by the candidate's type."""
    index, entries = _candidate_entries(pool)
    if index is None:
        return "retype candidates (no column)"
    if not entries:
        return "retype candidates (none)"
    entry = rng.pick(entries)
    head, _, old_type = entry.rpartition(",")
    new_type = rng.pick([kind for kind in _CANDIDATE_TYPES if kind not in old_type])
    replacement = f"{head}, '{new_type}')"
    share = rng.pick((0.5, 1.0))
    changed = 0
    for row in pool.rows:
        own = _entries(row[index]) if index < len(row) else None
        if own and entry in own and rng.chance(share):
            row[index] = "[" + ", ".join(replacement if part == entry else part for part in own) + "]"
            changed += 1
    return f"retype candidates ({entry} as {new_type!r} in {changed} rows)"


#: a literal a rule's pattern names: a word of letters, digits, ``_`` and ``-`` (not a regex)
_LITERAL = re.compile(r"^[a-z0-9_-]+$")
#: columns that group rows as a program does: one exposure type (drawn twice as often),
#: observation, instrument
_GROUPING = ("exp_type", "exp_type", "obs_num", "instrume")


@functools.cache
def standard_rule_values() -> list[tuple[str, list[tuple[str, list[str]]]]]:
    """Each standard rule's name and, per column, the literals its column tests name (none
    for a test of any value), read from the rule files themselves (so a rule added later is drawn too)."""
    from asngen.engine.constraints import Attr
    from asngen.registry import RULES_DIR, load_rule_file

    found = []
    for name in ("rules_level2b.py", "rules_level3.py"):
        for rule in load_rule_file(os.path.join(RULES_DIR, name)).rules:
            by_column: dict[str, list[str]] = {}  # one entry a column: a draw writes it once
            for leaf in rule.constraints().leaves():
                if not (isinstance(leaf, Attr) and len(leaf.sources) == 1 and isinstance(leaf.sources[0], str)):
                    continue
                if leaf.value is None:  # any value: the column is drawn, a value made up
                    by_column.setdefault(leaf.sources[0], [])
                elif isinstance(leaf.value, str):
                    words = [word for word in leaf.value.split("|") if _LITERAL.match(word)]
                    if words:
                        known = by_column.setdefault(leaf.sources[0], [])
                        known.extend(word for word in words if word not in known)
            if by_column:
                found.append((rule.name, list(by_column.items())))
    return found


def rule_values(pool: PoolText, rng: Rng) -> str:
    """Values one rule tests for (one column's to all of them), written upper case, as pools
    write them, into the rows of one group: those sharing a row's exposure type,
    observation or instrument, all of them or half.  One time in five (and for a test of
    any value) the value is none of the literals: the empty cell or a made-up word.  A
    column the pool lacks is added, empty elsewhere."""
    rule, tests = rng.pick(standard_rule_values())
    chosen = rng.sample(tests, rng.between(1, len(tests)))
    if not pool.rows:
        return "rule values (no rows)"
    grouping = [pool.column(name) for name in _GROUPING if pool.column(name) is not None]
    anchor = pool.rows[rng.below(len(pool.rows))]
    by = rng.pick(grouping) if grouping else None
    share = rng.pick((0.5, 1.0))
    members = [
        row for row in pool.rows
        if (by is None or (by < len(row) and by < len(anchor) and row[by] == anchor[by])) and rng.chance(share)
    ]
    written = []
    for column, words in chosen:
        index = pool.column(column)
        if index is None:
            pool.header.append(column.upper())
            empty = _empty_form(pool)
            for row in pool.rows:
                row.extend([empty] * (len(pool.header) - len(row)))
            index = len(pool.header) - 1
        if words and not rng.chance(0.2):
            value = rng.pick(words).upper()
        else:  # a value no literal names: none at all, or one made up
            value = rng.pick((_empty_form(pool), f"{column.upper()}1"))  # (after the writes above)
        for row in members:
            if index < len(row):
                row[index] = value
        written.append(f"{column}={value}")
    where = "all rows" if by is None else f"{pool.header[by].strip()}={anchor[by] if by < len(anchor) else ''}"
    return f"rule values of {rule} ({', '.join(written)}) in {len(members)} rows of {where}"


#: letters outside ASCII written into cells: lower case already, upper case whose lower case is
#: another letter, the capital sigma (lowered by its neighbours), one whose lower case is two
#: characters long
_LETTERS = ("\u00e9", "\u00fc", "\u00df", "\u00d8", "\u03a3", "\u0130")
_BLANKS = (" ", "  ", "\t", " \t ")


def text_forms(pool: PoolText, rng: Rng) -> str:
    """The pool's text written in another form than its source's: line ends, blanks around
    one column's cells, letters outside ASCII in them, a byte-order mark first (rarely: most
    pools with one fail in both programs).  Both programs read pools with such text, each in
    its own way (asngen's reader, astropy's)."""
    form = rng.pick(("crlf", "blanks", "blanks", "letters", "letters", "letters", "mark"))
    if form == "crlf":
        pool.newline = "\r\n"
        return "text: line ends CRLF"
    if form == "mark":
        pool.mark = True
        return "text: a byte-order mark first"
    columns = _changeable_columns(pool, rng)
    if not columns:
        return f"text: {form} (none)"
    index = rng.pick(columns)
    share = rng.pick((0.3, 1.0))
    where = rng.below(3)  # before, after, or both sides / in the middle
    if form == "blanks":
        blank = rng.pick(_BLANKS)
        change = [lambda cell: blank + cell, lambda cell: cell + blank, lambda cell: blank + cell + blank][where]
        what = f"{blank!r} {('before', 'after', 'around')[where]}"
    else:
        letter = rng.pick(_LETTERS)
        change = [lambda cell: letter + cell, lambda cell: cell + letter,
                  lambda cell: cell[: len(cell) // 2] + letter + cell[len(cell) // 2:]][where]
        what = f"{letter!r} {('first', 'last', 'in the middle')[where]}"
    for row in pool.rows:
        if index < len(row) and rng.chance(share):
            row[index] = change(row[index])
    return f"text: {form} in {pool.header[index].strip()} ({what})"


MUTATIONS: dict[str, Callable[[PoolText, Rng], str]] = {
    "drop": drop_rows,
    "reorder": reorder_rows,
    "swap": swap_cells,
    "empty": empty_cells,
    "candidates": edit_candidates,
    "duplicate": duplicate_rows,
    "drop_column": drop_column,
    "reform": reform_values,
    "retype": retype_candidates,
    "rule_values": rule_values,
    "text_forms": text_forms,
}
#: how often each is drawn: rarer for those that mostly make pools both programs refuse
_WEIGHTS = {"drop": 3, "reorder": 2, "swap": 3, "empty": 2, "candidates": 2, "duplicate": 1}
#: the kinds ``--more`` adds to the draw (without it, a seed writes the pool it always wrote)
_MORE_WEIGHTS = {"drop_column": 1, "reform": 2, "retype": 2}
#: what ``--rule-values`` adds to the draw (such a pool's first mutation is always one)
_RULE_VALUE_WEIGHTS = {"rule_values": 3}


def mutate(
    pool: PoolText, seed: int, more: bool = False, with_rule_values: bool = False, with_text_forms: bool = False,
) -> tuple[PoolText, list[str]]:
    """A changed copy of ``pool`` and the mutations applied to it."""
    rng = Rng(seed)
    copy = PoolText(list(pool.comments), list(pool.header), [list(row) for row in pool.rows])
    weights = {**_WEIGHTS, **_MORE_WEIGHTS} if more else dict(_WEIGHTS)
    if with_rule_values:
        weights.update(_RULE_VALUE_WEIGHTS)
    names = [name for name, weight in weights.items() for _ in range(weight)]
    applied = [text_forms(copy, rng)] if with_text_forms else []  # (drawn first: other seeds' pools stay)
    if with_rule_values:
        applied.append(rule_values(copy, rng))
    fewest, most = (0, 2) if applied else (1, 3)  # (one to three mutations in all)
    for _ in range(rng.between(fewest, most)):
        applied.append(MUTATIONS[rng.pick(names)](copy, rng))
    flag = (" --more" if more else "") + (" --rule-values" if with_rule_values else "")
    flag += " --text-forms" if with_text_forms else ""
    copy.comments = [*copy.comments, f"# mutate_pool.py seed {seed}{flag}: " + "; ".join(applied)]
    return copy, applied


def _seeds(text: str) -> list[int]:
    seeds: list[int] = []
    for part in text.split(","):
        low, _, high = part.partition("-")
        seeds.extend(range(int(low), int(high or low) + 1))
    return seeds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("pools", nargs="+", type=Path, help="source pools")
    parser.add_argument("--seeds", default="1-10", help="seeds, e.g. 1-40 or 3,7,9 (default 1-10)")
    parser.add_argument("-o", "--output", type=Path, required=True, help="folder for the new pools")
    parser.add_argument("--round-robin", action="store_true", help="one source per seed, in turn")
    parser.add_argument("--at-most", type=int, metavar="N", help="keep N random rows at most")
    parser.add_argument(
        "--more", action="store_true",
        help="also draw columns taken out, values reformed and candidates retyped (other pools per seed)",
    )
    parser.add_argument(
        "--rule-values", action="store_true",
        help="also draw values the standard rules test for, written into a group of rows",
    )
    parser.add_argument(
        "--text-forms", action="store_true",
        help="first write the pool's text in another form: CRLF line ends, blanks around or letters "
             "outside ASCII in one column's cells, a byte-order mark first",
    )
    args = parser.parse_args(argv)
    args.output.mkdir(parents=True, exist_ok=True)
    sources = [(path, PoolText.read(path)) for path in args.pools]
    for number, seed in enumerate(_seeds(args.seeds)):
        chosen = [sources[number % len(sources)]] if args.round_robin else sources
        for path, pool in chosen:
            changed, applied = mutate(pool, seed, args.more, args.rule_values, args.text_forms)
            if args.at_most and len(changed.rows) > args.at_most:
                picked = sorted(Rng(seed).sample(range(len(changed.rows)), args.at_most))
                changed.rows = [changed.rows[i] for i in picked]
                applied.append(f"kept {args.at_most} rows")
            kind = "m" + ("m" if args.more else "") + ("r" if args.rule_values else "") + ("t" if args.text_forms else "")
            target = args.output / f"{path.stem}__{kind}{seed}.csv"
            changed.write(target)
            print(f"{target}: {len(changed.rows)} rows; {'; '.join(applied)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
