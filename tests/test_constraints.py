"""The constraint engine: Attr, Test and Group nodes, reprocess requests, rollback.

Every test builds its own tiny tree, numbers its leaves and checks rows
against a fake association that only holds the per-leaf ``states`` list (and
whatever the tree's callables look at).  The expectations follow the
reference generator's constraint semantics (reference-behaviour.md §2).
"""

from __future__ import annotations

import pytest

from asngen.engine.check import Check, describe
from asngen.engine.constraints import (
    EMPTY,
    All,
    Any_,
    Attr,
    Category,
    Group,
    NotAll,
    NotAny,
    Reprocess,
    first_named,
    number_leaves,
)
from asngen.engine.constraints import Test as Probe  # "Test*" names would be collected by pytest
from asngen.engine.patterns import evaluate_literal, is_listlike, meets


class FakeAsn:
    """Just enough of an association for the engine: one state per leaf."""

    def __init__(self, tree, **extra):
        self.tree = tree
        self.states = [None] * number_leaves(tree)
        self.__dict__.update(extra)


def make(tree, **extra) -> FakeAsn:
    return FakeAsn(tree, **extra)


def offer(asn: FakeAsn, item: dict, node=None) -> tuple[bool, list]:
    """Check ``item`` as an association does: a refused row is rolled back."""
    check = Check(asn, {})
    matched, reprocess = check.run(node or asn.tree, item)
    if not matched:
        check.rollback()
    return matched, reprocess


def pinned(asn: FakeAsn, leaf) -> object:
    """The value a leaf currently requires (None when it has never been touched)."""
    state = asn.states[leaf.slot]
    return None if state is None else state[0]


def found(asn: FakeAsn, leaf) -> list:
    state = asn.states[leaf.slot]
    return [] if state is None else state[3]


# -- helpers -------------------------------------------------------------------


def test_meets_is_a_case_insensitive_full_match():
    assert meets("F444W", "f444w")
    assert meets("f444w", "F4.*")
    assert not meets("f444w", "f444")  # anchored at the end
    assert not meets("xf444w", "f444w")  # anchored at the start
    assert meets("nrc_image", ["nis_image", "nrc_image"])
    assert meets("b", "a|b")


def test_meets_anchors_bind_to_the_outer_alternatives_only():
    # "^" + "a|b" + "$" as the reference builds it: the first alternative may
    # be followed by anything, the last must end the value, and both must start it.
    assert meets("nrc_image_x", "nrc_image|nis_image")
    assert not meets("x_nis_image", "nrc_image|nis_image")
    assert not meets("x_nrc_image", "nrc_image|nis_image")
    assert not meets("nrc_image_x", "nis_image|nrc_image")


@pytest.mark.parametrize(
    "value",
    ["F444W", "('c1044', 'coronagraphy')", "a.b", "nrs_fixedslit", "x+y*z", "", "K-band", "\u212a-band"],
)
@pytest.mark.parametrize("seen", ["f444w", "('C1044', 'CORONAGRAPHY')", "a.b", "axb", "NRS_FIXEDSLIT",
                                  "x+y*z", "xxy", "", "k-band", "K-BAND", "\u212a-BAND", "f444w\n"])
def test_a_pinned_value_matches_as_its_escaped_regex_does(value, seen):
    """Escaped values skip the regex for plain text: the answer must be the regex's own."""
    import re

    pattern = re.escape(value)
    expected = re.match("^" + pattern + "$", seen, re.IGNORECASE) is not None
    assert meets(seen, pattern) is expected


@pytest.mark.parametrize("seed", range(6))
def test_alternatives_of_plain_words_match_as_their_regex_does(seed):
    """``a|b|c`` and ``(a|b|c)`` skip the regex for plain text: the answer must be the regex's own,
    prefixes, case, trailing newlines and look-alike non-ASCII letters included."""
    import random
    import re

    rng = random.Random(seed)
    alphabet = "abK0_-"
    for _ in range(300):
        words = ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 3))) for _ in range(rng.randint(1, 4))]
        text = "|".join(words)
        if rng.random() < 0.5:
            text = "(" + text + ")"
        for _ in range(8):
            value = rng.choice(words) if rng.random() < 0.6 else ""
            if rng.random() < 0.3:
                value = value.swapcase()
            value += "".join(rng.choice(alphabet + "x\u212a\n") for _ in range(rng.choice((0, 0, 1, 2))))
            expected = re.match("^" + text + "$", value, re.IGNORECASE) is not None
            assert meets(value, text) is expected, (text, value)


def _regex_verdict(value: str, text: str) -> bool:
    import re

    return re.match("^" + text + "$", value, re.IGNORECASE) is not None


def _near_values(rng, words: list[str]) -> list[str]:
    """Values around ``words``: themselves, swapped case, with text before, after or inside,
    digits, line breaks and look-alike non-ASCII letters."""
    noise = "ab0_-x '\u212a\n9("
    values = ["", "\n"]
    for _ in range(10):
        value = rng.choice(words) if words and rng.random() < 0.7 else ""
        if rng.random() < 0.3:
            value = value.swapcase()
        if rng.random() < 0.5:
            at = rng.randint(0, len(value))
            value = value[:at] + "".join(rng.choice(noise) for _ in range(rng.randint(1, 3))) + value[at:]
        values.append(value)
    return values


@pytest.mark.parametrize("seed", range(6))
def test_the_usual_pattern_forms_match_as_their_regex_does(seed):
    """``.+word.+``, ``.+(word).+``, ``((?!word).)*``, ``()`` and literal text with ``\\d{n}``
    runs are answered without the regex engine for plain text: the answer must be the regex's
    own, and the shortcut must be the one taken."""
    import random

    from asngen.engine import patterns

    rng = random.Random(seed)
    letters = "abK0_9"
    for _ in range(200):
        word = "".join(rng.choice(letters) for _ in range(rng.randint(1, 4)))
        form = rng.randrange(5)
        if form == 0:
            text, words = f".+{word}.+", [f"x{word}y", word, f"{word}{word}{word}"]
        elif form == 1:
            text, words = f".+({word}).+", [f"x{word}y", word]
        elif form == 2:
            text, words = f"(({chr(63)}!{word}).)*", [word, f"x{word}", "xy", ""]
        elif form == 3:
            text, words = "()", ["", "x"]
        else:
            pieces, words = [], [""]
            for _ in range(rng.randint(1, 4)):
                kind = rng.randrange(3)
                if kind == 0:
                    count = rng.randint(1, 4)
                    pieces.append(rf"\d{{{count}}}" if count > 1 or rng.random() < 0.5 else r"\d")
                    words = [w + "".join(rng.choice("0123456789") for _ in range(count)) for w in words]
                elif kind == 1:
                    literal = rng.choice(["[('c", "', 'direct_image')]", "-", " ", "x.y", "a,b"])
                    pieces.append(patterns.escape(literal) if rng.random() < 0.5 else
                                  literal.replace("[", r"\[").replace("(", r"\(").replace(")", r"\)")
                                  .replace("]", r"\]").replace(".", r"\."))
                    words = [w + literal for w in words]
                else:
                    literal = "".join(rng.choice(letters) for _ in range(rng.randint(1, 3)))
                    pieces.append(literal)
                    words = [w + literal for w in words]
            text = "".join(pieces)
        assert isinstance(patterns._pattern(text), patterns._PlainText), text
        for value in _near_values(rng, words):
            assert meets(value, text) is _regex_verdict(value, text), (text, value)


@pytest.mark.parametrize("text", [r"\d{2,3}", r"\w+", r"a{2}", r"\d{x}", r"[ab]", r"a\b", r"(a)\1", r"a*"])
def test_patterns_of_other_forms_go_to_the_regex_engine(text):
    from asngen.engine import patterns

    assert not isinstance(patterns._pattern(text), patterns._PlainText)
    for value in ["12", "123", "aa", "a", "ab", "x", "", "a\\b"]:
        assert meets(value, text) is _regex_verdict(value, text), (text, value)


def test_escape_escapes_as_re_escape_does_every_character():
    import re

    from asngen.engine import patterns

    every = "".join(map(chr, range(0x110000)))
    assert every.translate(patterns._SPECIAL) == re.escape(every)


@pytest.mark.parametrize("seed", range(3))
def test_unescape_undoes_as_the_regex_substitution_does(seed):
    import random
    import re

    from asngen.engine import patterns

    rng = random.Random(seed)
    for _ in range(500):
        text = "".join(rng.choice(["\\", "a", ".", "-", "\n", "\u00e9", " "]) for _ in range(rng.randint(0, 7)))
        assert patterns._unescaped(text) == re.sub(r"\\(.)", r"\1", text, flags=re.DOTALL), repr(text)
        assert patterns.unescape(patterns.escape(text)) == text


@pytest.mark.parametrize("text", ["", "a", "A_9", "_", "a-b", "a b", "\u00e9", "\u0661", "\u00df", "K\u212a", "a\n", "9"])
def test_a_word_is_what_the_word_pattern_matches(text):
    import re

    from asngen.engine.patterns import is_word

    assert is_word(text) is (re.fullmatch("[A-Za-z0-9_]+", text) is not None)


@pytest.mark.parametrize("seed", range(4))
def test_candidate_lists_read_without_literal_eval_as_literal_eval_reads_them(seed):
    """Candidate lists and pairs are read by a pattern: the result must be literal_eval's, for
    near misses too (quotes, backslashes, line breaks, NULs, surrogates, missing commas)."""
    import random
    import warnings
    from ast import literal_eval

    from asngen.engine import patterns

    def reference(text):
        try:
            return literal_eval(text)
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            return text

    rng = random.Random(seed)
    pieces = ["o001", "observation", "c1000", "'", "\\", "\r", "\n", "\x00", "\ud800", "(", ")", ",", " ", "é", "x"]

    def quoted():
        return "'" + "".join(rng.choice(pieces) for _ in range(rng.randint(0, 3))) + "'"

    warnings.simplefilter("ignore", DeprecationWarning)  # literal_eval on "\\o" and such (restored by pytest)
    for _ in range(400):
        pairs = [f"({quoted()}, {quoted()})" for _ in range(rng.randint(0, 3))]
        text = rng.choice(["[" + ", ".join(pairs) + "]", pairs[0] if pairs else "()", "[" + "".join(pairs) + "]"])
        patterns._LITERALS.pop(text, None)
        assert patterns.evaluate_literal(text) == reference(text), repr(text)
        assert type(patterns.evaluate_literal(text)) is type(reference(text)), repr(text)


@pytest.mark.parametrize("text", ["0", "7", "1000", "00", "007", "1_000", " 12", "12 ", "-3", "+3", "1e3", "0x1f",
                                  "１２", "²", "12\n", "9" * 40, "asn_candidate", "True", "False", "None",
                                  "if", "lambda", "ﬁ", "__debug__", "x1", "é", "a b", "None ", ""])
def test_numbers_and_words_read_without_literal_eval_as_literal_eval_reads_them(text):
    from ast import literal_eval

    try:
        expected = literal_eval(text)
    except (ValueError, SyntaxError):
        expected = text
    from asngen.engine import patterns

    patterns._LITERALS.pop(text, None)
    got = patterns.evaluate_literal(text)
    assert got == expected and type(got) is type(expected)


def test_is_listlike_excludes_strings_and_tuples():
    assert is_listlike(["a"])
    assert is_listlike({"a"})
    assert not is_listlike("ab")
    assert not is_listlike(("o001", "observation"))


def test_evaluate_literal_parses_candidate_lists_and_keeps_other_text():
    assert evaluate_literal("[('o001', 'observation')]") == [("o001", "observation")]
    assert evaluate_literal("('c1000', 'mosaic')") == ("c1000", "mosaic")
    assert evaluate_literal("f444w") == "f444w"
    assert evaluate_literal("[unbalanced") == "[unbalanced"
    assert evaluate_literal(7) == 7


def test_number_leaves_gives_depth_first_slots():
    a, b, c = Attr(["a"]), Attr(["b"]), Probe(lambda item, asn: 1)
    tree = All(a, Any_(b, c))
    assert number_leaves(tree) == 3
    assert (a.slot, b.slot, c.slot) == (0, 1, 2)


def test_first_named_searches_depth_first_below_the_root():
    inner = Attr(["filter"], name="opt_elem")
    later = Attr(["pupil"], name="opt_elem")
    tree = All(All(inner, name="path"), later, name="root")
    assert first_named(tree, "opt_elem") is inner
    assert first_named(tree, "path").kind == "group"
    assert first_named(tree, "root") is None
    assert first_named(tree, "nothing") is None


def test_unknown_reduction_is_refused():
    with pytest.raises(ValueError):
        Group([Attr(["a"])], "sometimes")


# -- Attr: presence ---------------------------------------------------------------


def test_required_attr_refuses_a_missing_column():
    leaf = Attr(["filter"])
    asn = make(leaf)
    assert offer(asn, {"pupil": "clear"}) == (False, [])


@pytest.mark.parametrize("empty", ["null", "NULL", "f", "F", "n", "N", "N/A", "n/a", "--", "", "false"])
def test_invalid_values_count_as_missing(empty):
    assert empty in EMPTY
    required = make(Attr(["filter"]))
    assert offer(required, {"filter": empty}) == (False, [])
    optional = make(Attr(["filter"], required=False))
    assert offer(optional, {"filter": empty}) == (True, [])
    # and nothing was pinned by the empty value
    assert pinned(optional, optional.tree) is None


def test_optional_attr_passes_without_the_column_and_pins_nothing():
    leaf = Attr(["filter"], required=False)
    asn = make(leaf)
    assert offer(asn, {}) == (True, [])
    assert pinned(asn, leaf) is None
    # a later real value is then pinned
    assert offer(asn, {"filter": "f444w"})[0]
    assert offer(asn, {"filter": "f200w"}) == (False, [])


def test_first_valid_source_is_used():
    leaf = Attr(["pupil", "grating"], name="opt_elem2")
    asn = make(leaf)
    assert offer(asn, {"pupil": "null", "grating": "g140m"})[0]
    state = asn.states[leaf.slot]
    assert list(state[1]) == ["grating"]  # the source is pinned too
    # once pinned to grating, a pupil value no longer counts
    assert not offer(asn, {"pupil": "g140m", "grating": "null"})[0]
    assert offer(asn, {"pupil": "clear", "grating": "g140m"})[0]


# -- Attr: pinning -------------------------------------------------------------------


def test_force_unique_pins_the_first_value_case_insensitively():
    leaf = Attr(["filter"], name="opt_elem")
    asn = make(leaf)
    assert offer(asn, {"filter": "f444w"}) == (True, [])
    assert pinned(asn, leaf) == "f444w"
    assert offer(asn, {"filter": "F444W"}) == (True, [])
    assert offer(asn, {"filter": "f200w"}) == (False, [])
    # found values keep each spelling once (pools are lower-cased before this)
    assert offer(asn, {"filter": "f444w"}) == (True, [])
    assert found(asn, leaf) == ["f444w", "F444W"]


def test_pinned_value_is_stored_regex_escaped():
    leaf = Attr(["fxd_slit"])
    asn = make(leaf)
    assert offer(asn, {"fxd_slit": "s200a1+x"})[0]
    assert pinned(asn, leaf) == r"s200a1\+x"
    # the escaped value matches only itself, not what '+' would mean as a regex
    assert offer(asn, {"fxd_slit": "s200a1+x"})[0]
    assert not offer(asn, {"fxd_slit": "s200a11x"})[0]


def test_without_force_unique_every_matching_value_is_accepted_and_recorded():
    leaf = Attr(["exp_type"], value="nrs_fixedslit|nrs_autowave", force_unique=False)
    asn = make(leaf)
    assert offer(asn, {"exp_type": "nrs_fixedslit"})[0]
    assert offer(asn, {"exp_type": "nrs_autowave"})[0]
    assert not offer(asn, {"exp_type": "nrs_msaspec"})[0]
    assert pinned(asn, leaf) == "nrs_fixedslit|nrs_autowave"  # the pattern stays
    assert found(asn, leaf) == ["nrs_fixedslit", "nrs_autowave"]


def test_force_undefined_requires_the_column_to_be_empty():
    leaf = Attr(["is_imprt"], force_undefined=True)
    asn = make(leaf)
    assert offer(asn, {"is_imprt": "f"}) == (True, [])
    assert offer(asn, {}) == (True, [])
    assert offer(asn, {"is_imprt": "t"}) == (False, [])


def test_regex_value_is_a_full_match():
    leaf = Attr(["exp_type"], value="nrc_image|nis_image")
    asn = make(leaf)
    assert not offer(asn, {"exp_type": "xnis_image"})[0]
    assert not offer(asn, {"exp_type": "nis_image_x"})[0]
    assert offer(asn, {"exp_type": "NIS_IMAGE"})[0]
    # and the value accepted is pinned: the other alternative is refused now
    assert not offer(asn, {"exp_type": "nrc_image"})[0]


def test_list_of_patterns_accepts_any_of_them():
    leaf = Attr(["fxd_slit"], value=["s200a1|s200a2", "s400a1"], force_unique=False)
    asn = make(leaf)
    for slit in ("s200a1", "s200a2", "s400a1"):
        assert offer(asn, {"fxd_slit": slit})[0], slit
    assert not offer(asn, {"fxd_slit": "s1600a1"})[0]


def test_callable_value_is_computed_from_the_association():
    leaf = Attr(["obs_num"], value=lambda asn: "(" + "|".join(asn.allowed) + ")", force_unique=False)
    asn = make(leaf, allowed=["001", "002"])
    assert offer(asn, {"obs_num": "002"})[0]
    assert not offer(asn, {"obs_num": "003"})[0]
    asn.allowed.append("003")  # computed anew on every check
    assert offer(asn, {"obs_num": "003"})[0]


def test_onlyif_false_skips_the_test():
    leaf = Attr(["targetid"], onlyif=lambda item, asn: item.get("bkgdtarg") != "t")
    asn = make(leaf)
    assert offer(asn, {"targetid": "1"})[0]
    assert offer(asn, {"targetid": "2", "bkgdtarg": "t"}) == (True, [])
    assert not offer(asn, {"targetid": "2"})[0]
    assert pinned(asn, leaf) == "1"


def test_onlyif_with_force_reprocess_asks_for_the_row_again():
    leaf = Attr(
        ["targetid"],
        name="target",
        onlyif=lambda item, asn: item.get("bkgdtarg") != "t",
        force_reprocess=Category.EXISTING,
        only_on_match=True,
    )
    asn = make(leaf)
    item = {"targetid": "2", "bkgdtarg": "t"}
    matched, reprocess = offer(asn, item)
    assert matched
    assert len(reprocess) == 1
    request = reprocess[0]
    assert request.items == [item]
    assert request.work_over == Category.EXISTING
    assert request.only_on_match
    assert request.rules is None  # the association fills in its own rule
    assert request.trigger == "target"


def test_force_reprocess_also_fires_on_a_real_match():
    leaf = Attr(["targetid"], force_reprocess=Category.EXISTING)
    asn = make(leaf)
    matched, reprocess = offer(asn, {"targetid": "1"})
    assert matched and [r.work_over for r in reprocess] == [Category.EXISTING]
    # but not when the value is refused
    assert offer(asn, {"targetid": "2"}) == (False, [])


# -- Attr: lists of values (candidates) -------------------------------------------------


def test_evaluate_list_without_a_value_splits_the_row_into_copies():
    leaf = Attr(["asn_candidate"], evaluate=True, is_acid=True)
    asn = make(leaf)
    item = {"asn_candidate": "[('o001', 'observation'), ('c1000', 'mosaic')]", "filename": "a"}
    matched, reprocess = offer(asn, item)
    assert not matched
    assert len(reprocess) == 1
    copies = reprocess[0].items
    assert [c["asn_candidate"] for c in copies] == ["('o001', 'observation')", "('c1000', 'mosaic')"]
    assert all(c["filename"] == "a" for c in copies)
    assert item["asn_candidate"].startswith("[")  # the original row is not modified
    assert reprocess[0].work_over == Category.BOTH
    # a single copy is accepted and pinned
    assert offer(asn, copies[0]) == (True, [])
    assert pinned(asn, leaf) == r"\('o001',\ 'observation'\)"
    assert not offer(asn, copies[1])[0]


def test_evaluate_list_with_a_value_uses_the_first_match_and_requeues_the_rest():
    leaf = Attr(["asn_candidate"], value=r"\('o\d{3}', 'observation'\)|\('c\d{4}', 'mosaic'\)", evaluate=True)
    asn = make(leaf)
    item = {
        "asn_candidate": "[('c1000', 'background'), ('o002', 'observation'), ('c1001', 'mosaic')]",
    }
    matched, reprocess = offer(asn, item)
    assert matched
    assert found(asn, leaf) == [r"\('o002',\ 'observation'\)"]
    # every other alternative (also the non-matching one) goes back as its own copy
    assert len(reprocess) == 1
    assert [c["asn_candidate"] for c in reprocess[0].items] == [
        "('c1000', 'background')",
        "('c1001', 'mosaic')",
    ]


def test_evaluate_list_against_a_pinned_candidate_requeues_the_others():
    leaf = Attr(["asn_candidate"], evaluate=True)
    asn = make(leaf)
    assert offer(asn, {"asn_candidate": "('o001', 'observation')"})[0]
    matched, reprocess = offer(asn, {"asn_candidate": "[('c1000', 'mosaic'), ('o001', 'observation')]"})
    assert matched
    assert [c["asn_candidate"] for c in reprocess[0].items] == ["('c1000', 'mosaic')"]
    assert found(asn, leaf) == [r"\('o001',\ 'observation'\)"]


def test_evaluate_list_with_no_matching_alternative_is_refused_without_requests():
    leaf = Attr(["asn_candidate"], value=r"\('o\d{3}', 'observation'\)", evaluate=True)
    asn = make(leaf)
    assert offer(asn, {"asn_candidate": "[('c1000', 'mosaic')]"}) == (False, [])
    assert asn.states[leaf.slot] is None  # rolled back to pristine


def test_evaluate_single_alternative_has_nothing_to_requeue():
    leaf = Attr(["asn_candidate"], value=r"\('o\d{3}', 'observation'\)", evaluate=True)
    asn = make(leaf)
    assert offer(asn, {"asn_candidate": "[('o001', 'observation')]"}) == (True, [])


# -- Test ----------------------------------------------------------------------------------


def test_test_without_value_passes_once_then_pins_what_it_saw():
    leaf = Probe(lambda item, asn: item["obs_num"], name="obs")
    asn = make(leaf)
    assert offer(asn, {"obs_num": "1"}) == (True, [])
    assert pinned(asn, leaf) == "1"
    assert not offer(asn, {"obs_num": "2"})[0]
    assert offer(asn, {"obs_num": "1"})[0]


def test_test_without_value_or_pinning_accepts_everything():
    leaf = Probe(lambda item, asn: item["obs_num"], force_unique=False)
    asn = make(leaf)
    assert offer(asn, {"obs_num": "1"})[0]
    assert offer(asn, {"obs_num": "2"})[0]
    assert pinned(asn, leaf) is None
    assert found(asn, leaf) == [None]


def test_test_with_value_compares_by_equality():
    leaf = Probe(lambda item, asn: item["nints"], value="1", force_unique=False)
    asn = make(leaf)
    assert offer(asn, {"nints": "1"})[0]
    assert not offer(asn, {"nints": "2"})[0]


def test_test_with_force_unique_keeps_the_first_result():
    leaf = Probe(lambda item, asn: item["targetid"].zfill(3), value="anything", test=lambda e, g: True)
    asn = make(leaf)
    assert offer(asn, {"targetid": "7"})[0]
    assert pinned(asn, leaf) == "007"
    assert found(asn, leaf) == ["007"]


def test_test_custom_comparison_and_reprocess_on_fail():
    leaf = Probe(
        lambda item, asn: item,
        value="x",
        test=lambda expected, got: False,
        reprocess_on_fail=True,
        work_over=Category.NONSCIENCE,
        reprocess_rules=[],
        name="force_fail",
    )
    asn = make(leaf)
    matched, reprocess = offer(asn, {"a": "1"})
    assert not matched
    assert [(r.work_over, r.rules, r.trigger) for r in reprocess] == [(Category.NONSCIENCE, [], "force_fail")]


def test_test_reprocess_on_match():
    leaf = Probe(lambda item, asn: "yes", reprocess_on_match=True)
    asn = make(leaf)
    matched, reprocess = offer(asn, {})
    assert matched and len(reprocess) == 1 and reprocess[0].rules is None


# -- Group reductions ----------------------------------------------------------------------

YES = {"a": "1", "b": "1"}


def _leaf(column: str, value: str | None = None, **kwargs) -> Attr:
    return Attr([column], value=value, force_unique=False, **kwargs)


@pytest.mark.parametrize(
    ("reduce", "a", "b", "expected"),
    [
        ("all", "1", "1", True),
        ("all", "1", "2", False),
        ("all", "2", "2", False),
        ("any", "1", "2", True),
        ("any", "2", "1", True),
        ("any", "2", "2", False),
        ("notany", "2", "2", True),
        ("notany", "1", "2", False),
        ("notall", "1", "2", True),
        ("notall", "1", "1", False),
        ("notall", "2", "2", True),
    ],
)
def test_reductions(reduce, a, b, expected):
    tree = Group([_leaf("a", "1"), _leaf("b", "1")], reduce)
    asn = make(tree)
    assert offer(asn, {"a": a, "b": b})[0] is expected


@pytest.mark.parametrize("reduce", ["all", "any", "notall"])
def test_empty_group_is_a_failed_match(reduce):
    # "all" and "any" of nothing fail, so "notall" of nothing succeeds
    empty = Group([], reduce)
    asn = make(Attr(["a"]))
    assert Check(asn, {}).run(empty, {}) == (reduce == "notall", [])


def test_helpers_build_the_matching_reductions():
    a = _leaf("a")
    assert All(a).reduce == "all"
    assert Any_(a).reduce == "any"
    assert NotAny(a).reduce == "notany"
    assert NotAll(a).reduce == "notall"


def _requester(column: str, *, fail: bool, trigger: str) -> Probe:
    """A Test that passes or fails as told and always asks for the row again."""
    return Probe(
        lambda item, asn: item.get(column),
        value="never" if fail else None,
        force_unique=False,
        reprocess_on_fail=fail,
        reprocess_on_match=not fail,
        name=trigger,
    )


def test_all_collects_the_requests_of_every_child_when_it_matches():
    tree = All(_requester("a", fail=False, trigger="one"), _requester("b", fail=False, trigger="two"))
    matched, reprocess = offer(make(tree), YES)
    assert matched
    assert [r.trigger for r in reprocess] == ["one", "two"]


def test_all_fails_at_once_on_a_child_without_requests():
    seen = []

    def spy(item, asn):
        seen.append("after")
        return "x"

    tree = All(_leaf("a", "2"), Probe(spy, reprocess_on_match=True))
    matched, reprocess = offer(make(tree), YES)
    assert (matched, reprocess) == (False, [])
    assert seen == []  # the children after the plain failure were not evaluated


def test_all_remembers_the_first_failing_child_with_requests():
    tree = All(
        _requester("a", fail=False, trigger="passing"),
        _requester("a", fail=True, trigger="first"),
        _requester("b", fail=True, trigger="second"),
    )
    matched, reprocess = offer(make(tree), YES)
    assert not matched
    # the requests of passing children and of later failures are dropped
    assert [r.trigger for r in reprocess] == ["first"]


def test_all_drops_remembered_requests_when_a_later_child_fails_plainly():
    tree = All(_requester("a", fail=True, trigger="first"), _leaf("b", "2"))
    assert offer(make(tree), YES) == (False, [])


def test_all_keeps_checking_after_a_failure_with_requests():
    seen = []

    def spy(item, asn):
        seen.append("later")
        return "x"

    tree = All(_requester("a", fail=True, trigger="first"), Probe(spy))
    matched, reprocess = offer(make(tree), YES)
    assert not matched and [r.trigger for r in reprocess] == ["first"]
    assert seen == ["later"]


def test_any_returns_only_the_matching_childs_requests():
    tree = Any_(
        _requester("a", fail=True, trigger="failed"),
        _requester("a", fail=False, trigger="matched"),
        _requester("b", fail=False, trigger="not reached"),
    )
    matched, reprocess = offer(make(tree), YES)
    assert matched
    assert [r.trigger for r in reprocess] == ["matched"]


def test_any_without_a_match_returns_every_childs_requests():
    tree = Any_(_requester("a", fail=True, trigger="one"), _requester("b", fail=True, trigger="two"))
    matched, reprocess = offer(make(tree), YES)
    assert not matched
    assert [r.trigger for r in reprocess] == ["one", "two"]


def test_notany_inverts_the_match_and_keeps_the_requests():
    tree = NotAny(_requester("a", fail=True, trigger="one"))
    matched, reprocess = offer(make(tree), YES)
    assert matched
    assert [r.trigger for r in reprocess] == ["one"]


def test_group_reprocess_on_match_and_on_fail():
    on_match = All(_leaf("a", "1"), reprocess_on_match=True, reprocess_rules=[], work_over=Category.RULES,
                   name="grp")
    matched, reprocess = offer(make(on_match), YES)
    assert matched
    assert [(r.rules, r.work_over, r.trigger) for r in reprocess] == [([], Category.RULES, "grp")]
    on_fail = Any_(_leaf("a", "2"), reprocess_on_fail=True, work_over=Category.EXISTING)
    matched, reprocess = offer(make(on_fail), YES)
    assert not matched and [r.work_over for r in reprocess] == [Category.EXISTING]
    assert reprocess[0].items == [YES]


def test_reprocess_key_distinguishes_rules_category_and_only_on_match():
    assert Reprocess([1]).key() == ((), Category.BOTH, False)
    assert Reprocess([1], ["r"], Category.EXISTING, True).key() == (("r",), Category.EXISTING, True)


# -- transactions ---------------------------------------------------------------------------


def test_refused_row_leaves_the_states_untouched():
    filt = Attr(["filter"], name="opt_elem")
    target = Attr(["targetid"], name="target")
    tree = All(filt, target)
    asn = make(tree)
    assert offer(asn, {"filter": "f444w", "targetid": "1"})[0]
    before = [list(state) for state in asn.states]
    # filter matches (and would be recorded again) but target is refused
    assert not offer(asn, {"filter": "f444w", "targetid": "2"})[0]
    assert asn.states == before


def test_rollback_restores_pristine_slots():
    filt = Attr(["filter"])
    target = Attr(["targetid"], value="1")
    asn = make(All(filt, target))
    # the first leaf pins f444w before the second refuses the row
    assert not offer(asn, {"filter": "f444w", "targetid": "2"})[0]
    assert asn.states == [None, None]
    # so a different filter is still welcome
    assert offer(asn, {"filter": "f200w", "targetid": "1"})[0]
    assert pinned(asn, filt) == "f200w"


def test_rollback_undoes_found_values_of_an_unpinned_leaf():
    kinds = Attr(["exp_type"], value="a|b", force_unique=False)
    gate = Attr(["ok"], value="y")
    asn = make(All(kinds, gate))
    assert offer(asn, {"exp_type": "a", "ok": "y"})[0]
    assert not offer(asn, {"exp_type": "b", "ok": "n"})[0]
    assert found(asn, kinds) == ["a"]


def test_check_without_a_journal_keeps_changes():
    filt = Attr(["filter"])
    target = Attr(["targetid"], value="1")
    asn = make(All(filt, target))
    matched, _ = Check(asn, None).run(asn.tree, {"filter": "f444w", "targetid": "2"})
    assert not matched
    assert pinned(asn, filt) == "f444w"


def test_journal_records_only_the_first_state_of_each_slot():
    filt = Attr(["filter"], force_unique=False)
    asn = make(filt)
    offer(asn, {"filter": "a"})
    journal: dict = {}
    check = Check(asn, journal)
    check.run(filt, {"filter": "b"})
    check.run(filt, {"filter": "c"})
    assert journal[filt.slot][3] == 1  # one value found before the check began
    assert found(asn, filt) == ["a", "b", "c"]
    check.rollback()
    assert found(asn, filt) == ["a"]
    assert journal == {}


def test_a_value_already_accepted_is_accepted_again_without_a_journal_entry():
    filt = Attr(["filter"])
    asn = make(filt)
    offer(asn, {"filter": "f444w"})
    before = list(asn.states[filt.slot])
    journal: dict = {}
    assert Check(asn, journal).run(filt, {"filter": "f444w"}) == (True, [])
    assert journal == {}  # nothing changed, nothing to roll back
    assert asn.states[filt.slot] == before


def test_a_refusal_that_changes_nothing_leaves_no_journal_entry():
    """A test that refused last time and refuses again changes no state: nothing is journalled."""
    filt = Attr(["filter"])
    gate = Attr(["ok"], value="y")
    either = Any_(gate, filt)
    asn = make(either)
    assert offer(asn, {"filter": "f444w", "ok": "n"})[0]  # the gate refused, the filter matched
    before = [list(state) for state in asn.states]
    journal: dict = {}
    check = Check(asn, journal)
    assert check.run(either, {"filter": "f444w", "ok": "n"}) == (True, [])
    assert journal == {}  # the filter as it was, the gate refusing again: nothing changed
    assert [list(state) for state in asn.states] == before


@pytest.mark.parametrize("row", [
    {"filter": "f200w", "ok": "n"},  # the filter refuses after matching last time
    {"filter": "f444w", "ok": "y"},  # the gate accepts after refusing last time
    {"ok": "y"},  # the filter's column is missing
])
def test_a_change_of_a_test_s_outcome_is_journalled_and_rolled_back(row):
    filt = Attr(["filter"])
    gate = Attr(["ok"], value="y")
    tree = All(Any_(filt, gate), Attr(["never"], value="z"))  # the last test refuses every row
    asn = make(tree)
    first = {"filter": "f444w", "ok": "n", "never": "z"}
    assert offer(asn, first)[0]
    before = [None if state is None else list(state) for state in asn.states]
    journal: dict = {}
    check = Check(asn, journal)
    assert check.run(tree, row)[0] is False
    assert journal  # something changed on the way to the refusal
    check.rollback()
    assert [None if state is None else list(state) for state in asn.states] == before


def test_a_new_spelling_of_the_pinned_value_is_still_recorded_and_journalled():
    filt = Attr(["filter"])
    asn = make(filt)
    offer(asn, {"filter": "f444w"})
    journal: dict = {}
    check = Check(asn, journal)
    assert check.run(filt, {"filter": "F444W"}) == (True, [])
    assert found(asn, filt) == ["f444w", "F444W"] and filt.slot in journal
    check.rollback()
    assert found(asn, filt) == ["f444w"]


def test_a_value_that_only_looks_like_the_escaped_pin_is_refused():
    slit = Attr(["fxd_slit"])
    asn = make(slit)
    offer(asn, {"fxd_slit": "s200a1+x"})
    assert pinned(asn, slit) == r"s200a1\+x"
    # the raw text of the escaped pattern is not the pinned value
    assert offer(asn, {"fxd_slit": r"s200a1\+x"}) == (False, [])
    assert found(asn, slit) == [r"s200a1\+x"]


def test_tests_with_row_conditions_are_evaluated_on_every_row():
    calls = []

    def science(item, asn):
        calls.append(item["exp_type"])
        return item["exp_type"] == "nrc_image"

    filt = Attr(["filter"], onlyif=science)
    asn = make(filt)
    offer(asn, {"filter": "f444w", "exp_type": "nrc_image"})
    offer(asn, {"filter": "f444w", "exp_type": "nrc_image"})
    assert calls == ["nrc_image", "nrc_image"]


def test_a_group_given_new_children_checks_them():
    first = Attr(["filter"])
    tree = All(first)
    asn = make(tree)
    assert offer(asn, {"filter": "f444w"})[0]
    extra = Attr(["pupil"], value="clear")
    tree.children = [*tree.children, extra]  # as a rule bound to a candidate gets its extra leaf
    asn = make(tree)
    assert offer(asn, {"filter": "f444w", "pupil": "clear"})[0]
    assert not offer(asn, {"filter": "f444w", "pupil": "grismr"})[0]


def test_a_node_of_unknown_kind_fails_only_when_reached():
    class Odd(Attr):
        kind = "odd"

    odd = Odd(["filter"])
    tree = All(Attr(["filter"], value="f444w"), odd)
    asn = make(tree)
    assert offer(asn, {"filter": "f200w"}) == (False, [])  # refused before the odd node
    with pytest.raises(KeyError):
        offer(asn, {"filter": "f444w"})


# -- tracing and description --------------------------------------------------------------


def test_trace_records_why_a_leaf_refused():
    leaf = Attr(["filter"], value="f444w", name="opt_elem")
    asn = make(leaf)
    trace: list = []
    Check(asn, {}, trace).run(leaf, {"filter": "f200w"})
    Check(asn, {}, trace).run(leaf, {})
    assert [(entry[0].name, entry[1], entry[2]) for entry in trace] == [
        ("opt_elem", "mismatch", "f200w"),
        ("opt_elem", "missing", None),
    ]


def test_describe_follows_a_copy_of_a_tree_with_one_more_leaf():
    filt = Attr(["filter"], name="opt_elem")
    tree = All(filt)
    asn = make(tree)
    offer(asn, {"filter": "f444w"})
    assert describe(tree, asn.states) == ["opt_elem: filter = 'f444w'"]
    twin = All(filt, Attr(["pupil"], name="pupil"))
    states = [*asn.states, None]
    number_leaves(twin)
    assert describe(twin, states) == ["opt_elem: filter = 'f444w'", "pupil: pupil = None"]
    assert describe(tree, asn.states) == ["opt_elem: filter = 'f444w'"]


def test_describe_lists_named_leaves_with_their_requirement():
    filt = Attr(["filter"], name="opt_elem")
    anon = Attr(["pupil"])
    test = Probe(lambda item, asn: 1, name="target")
    asn = make(All(filt, anon, test))
    offer(asn, {"filter": "f444w", "pupil": "clear"})
    assert describe(asn.tree, asn.states) == ["opt_elem: filter = 'f444w'", "target = 1"]


def test_described_lines_of_settled_states_are_remembered_and_of_open_ones_not():
    """A settled state is a tuple that never changes: its line is remembered.  A state still
    being built is a list, and the same list may say something else next time."""
    filt = Attr(["filter"], name="opt_elem")
    tree = All(filt)
    asn = make(tree)
    offer(asn, {"filter": "f444w"})
    assert type(asn.states[0]) is list
    assert describe(tree, asn.states) == ["opt_elem: filter = 'f444w'"]
    asn.states[0][0] = "changed"  # the same list, another value
    assert describe(tree, asn.states) == ["opt_elem: filter = 'changed'"]
    settled = [tuple(asn.states[0])]
    assert describe(tree, settled) == ["opt_elem: filter = 'changed'"]
    other = [("f090w", *settled[0][1:])]
    assert describe(tree, other) == ["opt_elem: filter = 'f090w'"]
    assert describe(tree, settled) == ["opt_elem: filter = 'changed'"]
    assert describe(tree, [None]) == ["opt_elem: filter = None"]


def test_meets_remembers_single_patterns_but_answers_the_same():
    from asngen.engine import patterns

    patterns._MET.clear()
    for _ in range(2):  # the second round is answered from the memo
        assert meets("NRC_IMAGE", "nrc_image|nis_image")
        assert not meets("x_nis_image", "nrc_image|nis_image")
        assert meets("f444w", ["f200w", "f4.*"])
        assert not meets("f444w", ["f200w", "f150w"])
    assert "NRC_IMAGE" in patterns._MET["nrc_image|nis_image"]


def test_meets_remembers_a_bounded_number_of_verdicts_in_all(monkeypatch):
    from asngen.engine import patterns

    patterns._MET.clear()
    monkeypatch.setattr(patterns, "_MET_LIMIT", 5)
    for number in range(12):
        assert meets(f"f{number}w", "f.*w") and not meets(f"f{number}w", f"x{number}")
        assert sum(map(len, patterns._MET.values())) <= 5
    assert meets("f3w", "f.*w")  # forgotten verdicts are made again, the same


def test_a_tree_is_planned_once_and_a_bound_copy_with_another_child_anew():
    """A check reads a group through its plan, which holds its child groups' own plans; a
    copy of the top group given a new list of children (as binding a rule to a candidate
    does) is planned anew, with the added child checked and the shared nested plans kept."""
    from asngen.engine.check import plan_of
    from asngen.registry import _copy_node

    inner = Any_(Attr(["filter"], "F1"), Attr(["filter"], "F2"))
    top = All(Attr(["instrume"], "NIRCAM"), inner)
    asn = make(top)
    assert offer(asn, {"instrume": "NIRCAM", "filter": "F2"})[0]
    plan = plan_of(top)
    assert plan_of(top) is plan
    assert plan[1][1] == (2, plan_of(inner))  # the nested group's plan itself, not the group
    assert plan[2] == 0 and plan_of(inner)[2] == 1  # all, any
    first = top.children[0]
    assert plan[1][0] == (0, first.spec) and first.spec.leaf is first  # a leaf: what its check reads
    extra = Attr(["detector"], "NRCA1", slot=len(asn.states))
    bound = _copy_node(top)
    bound.children = [*top.children, extra]
    asn_bound = FakeAsn(top)
    asn_bound.states.append(None)  # the extra leaf's slot
    assert not offer(asn_bound, {"instrume": "NIRCAM", "filter": "F2", "detector": "NRCB1"}, bound)[0]
    assert offer(asn_bound, {"instrume": "NIRCAM", "filter": "F1", "detector": "NRCA1"}, bound)[0]
    assert plan_of(bound) is not plan and plan_of(bound)[1][1][1] is plan[1][1][1]
    assert plan_of(top) is plan  # the template's own plan is unchanged


def test_equal_alternatives_of_other_types_are_tested_by_their_own_text():
    """A candidate cell's alternatives are tested as text; the text of the usual pairs is
    remembered, but ``(1, 'a')`` and ``(1.0, 'a')`` are equal with different texts."""
    whole = Attr(["cell"], value=r"\(1, 'a'\)", evaluate=True)
    decimal = Attr(["cell"], value=r"\(1\.0, 'a'\)", evaluate=True)
    for _ in range(2):  # the second time, whatever was remembered is used
        assert offer(make(All(whole)), {"cell": "[(1, 'a')]"})[0]
        assert not offer(make(All(whole)), {"cell": "[(1.0, 'a')]"})[0]
        assert offer(make(All(decimal)), {"cell": "[(1.0, 'a')]"})[0]
        assert not offer(make(All(decimal)), {"cell": "[(1, 'a')]"})[0]
        assert offer(make(All(Attr(["cell"], value=r"\('o001', 'observation'\)", evaluate=True))),
                     {"cell": "[('o002', 'mosaic'), ('o001', 'observation')]"})[0]


@pytest.mark.parametrize("reduce", ["all", "any", "notany", "notall"])
def test_each_check_gives_its_caller_a_list_of_its_own(reduce):
    """Results without requests are shared by every node of every check: a caller that
    changes the list it was given must not change what the next check returns."""
    tree = Group([_leaf("a", "1"), _leaf("b", "1")], reduce)
    for item in ({"a": "1", "b": "1"}, {"a": "1", "b": "2"}, {"a": "2", "b": "2"}):
        asn = make(tree)
        matched, reprocess = Check(asn, {}).run(tree, item)
        reprocess.append("changed by the caller")
        again, fresh = Check(make(tree), {}).run(tree, item)
        assert (again, fresh) == (matched, [])
        assert type(matched) is bool


@pytest.mark.parametrize("outcome", [1, "yes", 0, "", None])
def test_a_computed_condition_that_is_not_a_bool_counts_by_its_truth(outcome):
    probe = Probe(lambda item, asn: outcome, test=lambda expected, got: got, value="anything")
    tree = Group([probe], "all")
    matched, reprocess = offer(make(tree), {"a": "1"})
    assert (matched, reprocess) == (bool(outcome), [])
    assert offer(make(Group([probe], "notany")), {"a": "1"})[0] is (not outcome)


def test_rule_files_find_the_whole_vocabulary_in_constraints():
    """Rule files (the built-in ones and users') import everything they write rules with from
    ``asngen.engine.constraints``, though matching and checking live in their own modules:
    the names it offers are the very objects the engine uses."""
    from asngen.engine import check, constraints, patterns

    for name in constraints.__all__:
        assert getattr(constraints, name) is not None, name
    assert constraints.meets is patterns.meets
    assert constraints.EMPTY is patterns.EMPTY and constraints.EMPTY_SET is patterns.EMPTY_SET
    assert check.NO_VALUES is constraints.NO_VALUES
    # the requests a check makes are the vocabulary's own (the queue merges them by type)
    leaf = constraints.Attr(["targetid"], force_reprocess=constraints.Category.EXISTING)
    matched, requests = offer(make(leaf), {"targetid": "1"})
    assert matched and [type(request) for request in requests] == [constraints.Reprocess]


def test_described_lines_are_remembered_by_state_only_where_equal_states_print_alike():
    """Lines of settled states are remembered per leaf by the state's value: equal states of
    text (or None, or a computed requirement) print alike; ``True`` and ``1`` are equal and
    print differently, and a state holding an unhashable value cannot be a key."""
    test = Probe(lambda item, asn: 1, name="target")
    tree = All(test)
    number_leaves(tree)
    one = (1, ("target",), False, (1,), True, None)
    true = (True, ("target",), False, (True,), True, None)
    assert one == true
    assert describe(tree, [one]) == ["target = 1"]
    assert describe(tree, [true]) == ["target = True"]
    assert describe(tree, [one]) == ["target = 1"]
    listed = (["a", "b"], ("target",), False, (), True, None)
    assert describe(tree, [listed]) == ["target = ['a', 'b']"]
    unhashable = ("a", ("target",), False, (["x"],), True, None)
    assert describe(tree, [unhashable]) == ["target = 'a'"]
    text = ("a", ("target",), False, ("a",), True, None)
    equal = ("a", ("target",), False, ("a",), True, None)
    assert describe(tree, [text]) == describe(tree, [equal]) == ["target = 'a'"]
