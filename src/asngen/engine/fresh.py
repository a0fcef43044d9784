"""What a rule would say of a row on a fresh association, from the row alone.

A rule that refuses a row before anything in its check has changed state
can never start an association with it, whatever the pass has built so far.
The row-only filter (:mod:`asngen.engine.static_filter`) asks these
verdicts once per distinct profile of a row's values, not once per row: a
column test with a fixed pattern, a test that declares the columns it reads
(remembered per test identity and those columns' values), and a computed
pattern whose inputs nothing before it can have touched.  Anything else is
UNKNOWN, and the real check decides.
"""

from __future__ import annotations

from .patterns import meets

_UNSET = object()

def static_pass(leaf, item, pattern=_UNSET) -> bool:
    """The verdict of one column test on a fresh association (``pattern``: its value there)."""
    value = None
    invalid = leaf.invalid
    for column in leaf.sources:
        candidate = item.get(column)
        if candidate is not None and candidate not in invalid:
            value = candidate
            break
    if value is None:
        return not (leaf.required and not leaf.force_undefined)
    if leaf.force_undefined:
        return False
    if pattern is _UNSET:
        pattern = leaf.value
    if pattern is None:
        return True
    return meets(str(value), pattern)


PASS, FAIL, UNKNOWN = 1, 0, 2


def fresh_verdict(node, item, touched: set | None = None) -> int:
    """What checking ``item`` against a *fresh* association gives at ``node``, if decidable.

    PASS and FAIL mean "matches / refuses, with no reprocess request"; UNKNOWN
    means the answer needs the real check.  Only leaves that depend on the row
    alone are decided: column tests with a fixed pattern, tests that declare
    the columns they read, and computed patterns whose inputs nothing before
    them in the check can have changed (``touched`` collects the names of
    constraints that may have changed state so far, in evaluation order).

    The tree is walked as its plan (:func:`_fresh_plan`): tuples made once
    per tree, so that a new row profile, which asks this of every rule,
    reads no node attributes.
    """
    found = _FRESH_PLANS.get(id(node))
    if found is None or found[0] is not node:
        if len(_FRESH_PLANS) >= 10_000:  # it holds the trees: a long-lived process makes many
            _FRESH_PLANS.clear()
        found = _FRESH_PLANS[id(node)] = (node, _fresh_plan(node))
    return _fresh(found[1], item, set() if touched is None else touched)


_FRESH_PLANS: dict = {}  # id(tree) -> (tree, its plan)

# what a plan's first item says the node is
_UNDECIDED = 0
_COLUMN = 1
_COMPUTED = 2
_ROW_TEST = 3
_EVERY = 4
_SOME = 5


def _fresh_plan(node) -> tuple:
    """What :func:`fresh_verdict` reads of ``node``, as nested tuples (the node's leaves' names
    come last: what it touches when undecided)."""
    kind = node.kind
    if kind == "group":
        reduce = node.reduce
        return (
            _EVERY if reduce in ("all", "notall") else _SOME,
            tuple([_fresh_plan(child) for child in node.children]),
            reduce in ("notall", "notany"),
            bool(node.reprocess_on_match),
            bool(node.reprocess_on_fail),
        )
    names = tuple([leaf.name for leaf in node.leaves()])
    if kind == "attr":
        if node.evaluate or node.onlyif is not None:
            return (_UNDECIDED, names)
        reprocess = node.force_reprocess is not None
        if callable(node.value):
            return (_COMPUTED, node, node.fresh_value, node.reads, node.name, reprocess, names)
        return (_COLUMN, node, node.value, (), node.name, reprocess, names)
    if node.columns is None or node.side_effects:  # a test
        return (_UNDECIDED, names)
    return (_ROW_TEST, node, node.name, bool(node.reprocess_on_match), bool(node.reprocess_on_fail), names)


def _fresh(plan: tuple, item, touched: set) -> int:
    """:func:`fresh_verdict` of a node, by its plan."""
    kind = plan[0]
    if kind == _UNDECIDED:
        touched.update(plan[1])
        return UNKNOWN
    if kind == _COLUMN or kind == _COMPUTED:  # (kind, leaf, pattern, reads, name, reprocess, names)
        value = plan[2]
        if kind == _COMPUTED and (value is None or touched.intersection(plan[3])):
            touched.update(plan[6])
            return UNKNOWN
        if static_pass(plan[1], item, value):
            touched.add(plan[4])
            return UNKNOWN if plan[5] else PASS
        return FAIL
    if kind == _ROW_TEST:
        satisfied = row_test_outcome(plan[1], item)
        if satisfied is RAISED:
            touched.update(plan[5])
            return UNKNOWN
        if satisfied:
            touched.add(plan[2])
        if (satisfied and plan[3]) or (not satisfied and plan[4]):
            return UNKNOWN
        return PASS if satisfied else FAIL
    if kind == _EVERY:
        result = PASS
        for child in plan[1]:
            verdict = _fresh(child, item, touched)
            if verdict == FAIL:
                result = FAIL
                break
            if verdict == UNKNOWN:
                result = UNKNOWN
    else:
        result = FAIL
        for child in plan[1]:
            verdict = _fresh(child, item, touched)
            if verdict == FAIL:
                continue
            if verdict == PASS:
                if result == FAIL:
                    result = PASS
                break
            result = UNKNOWN
    if plan[2] and result != UNKNOWN:  # notall, notany
        result = PASS if result == FAIL else FAIL
    if (result == PASS and plan[3]) or (result == FAIL and plan[4]):
        return UNKNOWN
    return result


RAISED = object()  # a row test that raised: undecidable from the row, the real check decides


_ROW_TESTS: dict = {}  # (test identity, the values of its columns) -> outcome
_ROW_TESTS_LIMIT = 100_000  # tests that declare a column unique to each row would fill it
_IDENTITIES: dict = {}  # id(test) -> (test, the number of its identity)
_NUMBERS: dict = {}  # identity -> its number


def row_test_outcome(node, item):
    """Whether a row test (one that reads only its declared columns) holds on a fresh
    association: True, False, or RAISED.

    Remembered per test identity (see :func:`test_identity`) and the values
    of the columns it declares, which are all it reads: the row-only filter
    asks this of every rule that holds the test (twelve standard rules hold
    a target acquisition test), for every new combination of a row's values.
    """
    memo = _ROW_TESTS  # a local: compiled, its type is known (fresh.pxd)
    values = [item.get(column) for column in node.columns]
    try:
        key = (test_identity(node), tuple(values))
        outcome = memo.get(key, memo)
    except TypeError:  # an unhashable cell
        return _row_test_outcome(node, item)
    if outcome is memo:
        if len(memo) >= _ROW_TESTS_LIMIT:
            memo.clear()
        outcome = memo[key] = _row_test_outcome(node, item)
    return outcome


def test_identity(node) -> int:
    """What makes two row tests give the same outcome on the same row: the same functions
    (or functions of the same code, defaults and closure values: a rule factory's lambdas,
    made again for every rule), the same expected value and columns.  A test whose parts
    cannot be compared that way is its own identity.

    An identity is given as a number, the same for equal identities: identities hold code
    objects and closure values, slow to hash and compare, and :func:`row_test_outcome`
    makes a memo key of one for every row test of every new row profile.
    """
    known = _IDENTITIES  # a local: compiled, its type is known (fresh.pxd)
    found = known.get(id(node))
    if found is not None and found[0] is node:
        return found[1]
    identity = (_function_key(node.sources), _function_key(node.test), _typed(node.value), tuple(node.columns))
    try:
        hash(identity)
    except TypeError:
        identity = ("test", id(node))  # (the test stays alive in _IDENTITIES: its id is not reused)
    number = _NUMBERS.setdefault(identity, len(_NUMBERS))
    _IDENTITIES[id(node)] = (node, number)
    return number


def _function_key(function):
    code = getattr(function, "__code__", None)
    if code is None:
        return function
    closure = function.__closure__
    try:
        cells = tuple(_typed(cell.cell_contents) for cell in closure) if closure else ()
    except ValueError:  # an empty cell
        return function
    defaults = function.__defaults__
    keywords = function.__kwdefaults__
    # (the function stays alive in _IDENTITIES with its test, so the id of its globals is not reused)
    key = (code, id(function.__globals__), tuple(map(_typed, defaults)) if defaults else None,
           tuple((name, _typed(value)) for name, value in sorted(keywords.items())) if keywords else None, cells)
    try:
        hash(key)
    except TypeError:
        return function
    return key


def _typed(value) -> tuple:
    """A value with its type, so that equal values of other types (1, 1.0, True) stay apart."""
    return (type(value), value)


def _row_test_outcome(node, item):
    try:
        got = node.sources(item, None)
    except Exception:  # noqa: BLE001 - undecidable here; the real check will tell
        return RAISED
    expected = node.value
    if expected is None:
        return True
    if node.test is None:
        return bool(expected == got)
    return bool(node.test(expected, got))
