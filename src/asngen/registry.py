"""The rules in force for one run, loaded from rule files.

A rule file is a Python module that lists its rules in ``RULES`` and may
define ``FINALIZE`` (a function over the list of generated associations) and
``MERGE`` (how ``--merge`` combines associations).  asngen ships two such
files, ``rules/rules_level2b.py`` and ``rules/rules_level3.py``; users may
pass their own with ``-r``.  Rule files are executed only when the user names
them (or they are the built-in ones).

Within a registry, rules are ordered file by file and, within a file, by
name, because the order in which rules see a row decides which association
it starts; the reference orders them the same way.
"""

from __future__ import annotations

import importlib
import os
import sys

from .engine.check import describe, plan_with
from .engine.constraints import MAX_DEPTH, Attr, give_slot, number_leaves, reads_of, too_deep
from .errors import RuleError
from .rules.model import Rule

# paths as text: pathlib (with the urllib and ipaddress modules it imports) costs every run's
# start 3 ms, and a run only ever joins and resolves a few paths
RULES_DIR = os.path.join(os.path.dirname(os.path.realpath(__file__)), "rules")
DEFAULT_RULE_FILES = (os.path.join(RULES_DIR, "rules_level2b.py"), os.path.join(RULES_DIR, "rules_level3.py"))

#: the names of the two registries a per-candidate run binds the rules in (``asn_rule`` is
#: ``<registry>_<rule name>``): one per candidate, and one for the discover pass
CANDIDATE = "candidate"
DISCOVER = "discover"


class RuleFile:
    """What one loaded rule file declares: its rules (by name), FINALIZE and MERGE.

    Loaded once per path (see :func:`load_rule_file`), so one path is one object.
    """

    __slots__ = ("path", "rules", "finalize", "merge")

    def __init__(self, path: str, rules: tuple[Rule, ...], finalize: object | None, merge: object | None) -> None:
        self.path = path
        self.rules = rules
        self.finalize = finalize
        self.merge = merge

    def __repr__(self) -> str:
        return f"RuleFile({self.path!r}, {len(self.rules)} rules)"


_LOADED: dict[str, RuleFile] = {}


def load_rule_file(path: str | os.PathLike) -> RuleFile:
    """Execute a rule file and collect what it declares (cached per path)."""
    resolved = os.path.expanduser(os.fspath(path))
    key = os.path.realpath(resolved) if os.path.exists(resolved) else resolved
    if key in _LOADED:
        return _LOADED[key]
    if not os.path.isfile(resolved):
        raise RuleError("rule file not found", file=str(path))
    stem = os.path.splitext(os.path.basename(resolved))[0]
    if key in DEFAULT_RULE_FILES:
        module_name = f"asngen.rules.{stem}"
        if module_name in sys.modules:
            module = sys.modules[module_name]
        else:
            module = importlib.import_module(module_name)
    else:
        module_name = f"asngen_user_rules_{len(_LOADED)}_{stem}"
        # (imported here: importlib.util imports contextlib, 0.5 ms of a run's start)
        from importlib.util import module_from_spec, spec_from_file_location

        spec = spec_from_file_location(module_name, resolved)
        if spec is None or spec.loader is None:
            raise RuleError("not a Python rule file", file=str(path))
        module = module_from_spec(spec)
        try:
            spec.loader.exec_module(module)
        except SyntaxError as err:
            raise RuleError(f"syntax error: {err.msg}", file=str(path), line=err.lineno) from None
        except SystemExit as err:
            raise RuleError(
                f"rule file called sys.exit({err.code!r}) while loading", file=str(path),
                line=_line_in(err, resolved),
            ) from None
        except Exception as err:  # noqa: BLE001 - any failure of user code is reported the same way
            raise RuleError(
                f"rule file failed to load: {type(err).__name__}: {err}", file=str(path),
                line=_line_in(err, resolved),
            ) from None
    rules = getattr(module, "RULES", None)
    if rules is None:
        rules = [value for value in vars(module).values() if isinstance(value, Rule)]
    rules = [rule for rule in rules if isinstance(rule, Rule)]
    if not rules:
        raise RuleError("defines no rules (expected a RULES list of asngen Rule objects)", file=str(path))
    loaded = RuleFile(
        path=key,
        rules=tuple(sorted(rules, key=lambda rule: rule.name)),
        finalize=getattr(module, "FINALIZE", None),
        merge=getattr(module, "MERGE", None),
    )
    _LOADED[key] = loaded
    return loaded


def _line_in(err: BaseException, path: str) -> int | None:
    """The last line of ``path`` in the error's traceback."""
    import traceback  # only when a rule file fails: 2 ms at start otherwise

    line = None
    path = os.path.normpath(path)
    for frame in traceback.extract_tb(err.__traceback__):
        if os.path.normpath(frame.filename) == path:
            line = frame.lineno
    return line


def _global_leaf(global_ids, has_global: bool) -> Attr | None:
    """A registry's global constraint: the candidate constraint when it has one."""
    return candidate_constraint(tuple(global_ids) if global_ids else None) if has_global else None


def candidate_constraint(ids) -> Attr:
    """The constraint every rule gets when generating for candidates: pins asn_candidate."""
    pattern = ".+(" + "|".join(ids) + ").+" if ids else None
    return Attr(
        ["asn_candidate"], value=pattern, name="asn_candidate", force_unique=True,
        is_acid=True, evaluate=True,
    )


def _screens(leaf) -> bool:
    """:func:`~asngen.engine.screening.screens`, imported when first asked: the compiled
    screening module reads the association's layout, and importing that imports this module."""
    from .engine.screening import screens

    return screens(leaf)


class RuleTemplate:
    """A rule's constraint tree built and analysed once, shared by every registry."""

    def __init__(self, rule: Rule):
        from .engine.index import analyse
        from .engine.screening import screenable_tree

        self.rule = rule
        self.tree = rule.constraints()
        if too_deep(self.tree):
            raise RuleError(f"rule {rule.name}: its constraints nest more than {MAX_DEPTH} levels deep")
        self.nslots = number_leaves(self.tree)
        self.named: dict[str, list] = {}
        _index_named(self.tree, self.named)
        leaves = list(self.tree.leaves())
        self.acid_leaf = next((leaf for leaf in leaves if getattr(leaf, "is_acid", False)), None)
        self.parts = analyse(self.tree)
        found = self.named.get("force_match")
        self.force_match = found[0] if found else None
        self.row_reads = reads_of(leaves, rule.exposure_type, first_row=False)
        self.first_row_reads = reads_of(leaves, rule.exposure_type, first_row=True)
        # bound with a candidate constraint (candidate_constraint: it reads that column alone)
        bound_reads = None if self.row_reads is None else _with_columns(self.row_reads, ("asn_candidate",))
        bound_first = (
            None if self.first_row_reads is None else _with_columns(self.first_row_reads, ("asn_candidate",))
        )
        # what every bound rule copies, in one read (a run binds each rule once per candidate)
        self.screenable = screenable_tree(self.tree)
        # how often the first rows of the rule's new associations were found alike (shared by
        # its bound rules: Association.add)
        self.first_row_stats = None if self.first_row_reads is None else [0, 0, True]
        self.for_binding = (
            self.named, self.nslots, self.tree, self.acid_leaf, self.force_match, self.parts, self.row_reads,
            bound_reads, rule.after_science, self.screenable, self.first_row_reads, bound_first,
            self.first_row_stats,
        )


def _index_named(node, named: dict) -> None:
    if node.kind != "group":
        return
    for child in node.children:
        if child.name is not None:
            named.setdefault(child.name, []).append(child)
        _index_named(child, named)


_TEMPLATES: dict[int, RuleTemplate] = {}


def forget_first_rows() -> None:
    """Count afresh, for every rule, how often its new associations start alike (see
    ``Association.add``): a run's pool may repeat first rows where an earlier one did not."""
    for template in _TEMPLATES.values():
        stats = template.first_row_stats
        if stats is not None:
            stats[:] = [0, 0, True]


def template_of(rule: Rule) -> RuleTemplate:
    found = _TEMPLATES.get(id(rule))
    if found is None or found.rule is not rule:
        found = RuleTemplate(rule)
        _TEMPLATES[id(rule)] = found
    return found


class BoundRule:
    """A rule as it sits in one registry, with the registry's global constraint.

    The rule's own tree is shared (see :class:`RuleTemplate`); only the
    candidate constraint, appended as the last child of the top ``all``, is
    specific to the registry.  A per-candidate run binds every rule once per
    candidate (13,200 bound rules on mega_pool), and most rules never see a
    row of a given candidate (the row-only filter turns them away), so the
    tree with the candidate constraint is only put together the first time
    something reads it.  Compiled, a bound rule is a C structure
    (``registry.pxd``): making one is a few stores.  ``screening``: the
    registry's candidate constraint screens rows (:func:`_screens`, asked once
    per registry), which the rules whose tree allows it then do.
    """

    __slots__ = (
        "rule", "registry_name", "nslots", "_named", "force_match", "asn_rule", "parts", "template",
        "_global", "_tree", "_acid_leaf", "_candidates", "_step", "row_reads", "after_science",
        "candidate_slot", "first_reads", "first_stats", "first_rows",
    )

    def __init__(self, rule: Rule, registry_name: str | None, global_leaf: Attr | None = None,
                 template: RuleTemplate | None = None, asn_rule: str | None = None, screening: bool = False):
        if template is None:
            template = template_of(rule)
        (named, nslots, tree, acid_leaf, force_match, parts, row_reads, bound_reads, after_science, screenable,
         first_reads, bound_first, first_stats) = template.for_binding
        self.template = template
        self.rule = rule
        self.registry_name = registry_name
        self._global = global_leaf
        self._named = named
        self.nslots = nslots if global_leaf is None else nslots + 1
        self._tree = tree if global_leaf is None else None  # None: made when first read
        self._acid_leaf = acid_leaf
        self._candidates = None
        self._step = None  # the tree's first step for a check (check.step_of), made at its first
        self.force_match = force_match
        if asn_rule is None:
            asn_rule = f"{registry_name}_{rule.name}" if registry_name else rule.name
        self.asn_rule = asn_rule
        self.parts = parts
        # the row columns a check of the tree reads (engine.constraints.row_reads; None: not known)
        self.row_reads = row_reads if global_leaf is None else bound_reads
        self.after_science = after_science  # (the rule's: asked for every row the index looks up)
        # the state slot of the candidate constraint when rows may be screened by it before
        # they are checked (engine.screening.screened); -1: never
        self.candidate_slot = nslots if screening and screenable else -1
        # the row columns a check of a new association reads (constraints.first_row_reads; None:
        # not known), and what such checks left, by the first row's cells in those columns
        # (Association.add; made at the first, dropped when the pass that made them ends)
        self.first_reads = first_reads if global_leaf is None else bound_first
        self.first_stats = first_stats
        self.first_rows = None

    @property
    def tree(self):
        if self._tree is None:
            self._bind()
        return self._tree

    @property
    def acid_leaf(self):
        if self._global is not None and self._tree is None:
            self._bind()
        return self._acid_leaf

    def _bind(self) -> None:
        template = self.template
        base = template.tree
        extra = _copy_node(self._global)
        give_slot(extra, template.nslots)
        tree = _copy_node(base)
        tree.children = [*base.children, extra]
        plan_with(tree, base, extra)
        self._tree = tree
        self._candidates = [*template.named.get("asn_candidate", ()), extra]
        if template.acid_leaf is None:
            self._acid_leaf = extra

    def named(self, name: str):
        nodes = self.all_named(name)
        return nodes[0] if nodes else None

    def all_named(self, name: str) -> list:
        if name == "asn_candidate" and self._global is not None:
            if self._tree is None:
                self._bind()
            return self._candidates
        found = self._named  # (compiled, typed: registry.pxd)
        return found.get(name, [])

    def describe(self, states) -> list[str]:
        if self._global is None:
            return describe(self.tree, states)
        # the bound tree is the template's children and the candidate leaf: described as those
        # two, the template's part is found once for every candidate (on mega_pool, finding
        # the named leaves of each candidate's own tree was a third of describing)
        return describe(self.template.tree, states) + describe(self.tree.children[-1], states)

    def __repr__(self) -> str:
        return f"<{self.asn_rule}>"


def _with_columns(columns: tuple, more: tuple) -> tuple:
    """``columns`` and then those of ``more`` not among them."""
    return (*columns, *[column for column in more if column not in columns])


def _copy_node(node):
    """A shallow copy of a constraint node (its attributes' dict copied whole: a third faster
    than filled in key by key, and a run binds each rule once per candidate)."""
    twin = object.__new__(type(node))
    twin.__dict__ = node.__dict__.copy()
    return twin


_TEMPLATE_LISTS: dict = {}  # ids of rule files -> (those files, [(rule, template)], (templates))


def _templates(files: list[RuleFile]) -> tuple[list[tuple[Rule, RuleTemplate]], tuple[RuleTemplate, ...]]:
    """Every rule of ``files`` with its template, and the templates alone (a registry's
    ``universe``).

    A per-candidate run makes a registry per candidate from the same files:
    their rules and templates are found once.  (The cache holds the files
    themselves, so their ids cannot be reused while it does.)
    """
    key = tuple(map(id, files))
    cached = _TEMPLATE_LISTS.get(key)
    if cached is None:
        found = []
        for rule_file in files:
            for rule in rule_file.rules:
                try:
                    found.append((rule, template_of(rule)))
                except RuleError as err:
                    err.file = err.file or rule_file.path
                    raise
        cached = _TEMPLATE_LISTS[key] = (tuple(files), found, tuple([template for _, template in found]))
    return cached[1], cached[2]


_SELECTIONS: dict = {}  # (ids of rule files, registry name, include) -> what its registries bind
_SELECTIONS_KEPT = 256  # include filters remembered at most (a long-lived process makes new ones)


def _selection(files: list[RuleFile], name: str | None, include) -> tuple:
    """The rules a registry named ``name`` of ``files`` binds (those ``include`` lets in), as
    (rule, template, asn_rule) triples.

    A per-candidate run makes a registry for each candidate, with one of a
    few include filters (:class:`~asngen.generator.early_drop.Unrun` hands
    out one filter per set of rules it leaves out): asking each filter about
    every rule, and spelling every ``asn_rule``, once per candidate was half
    of making a registry.  (The key holds the filter itself, so its id
    cannot be reused while the entry lives.)
    """
    key = (tuple(map(id, files)), name, include)
    found = _SELECTIONS.get(key)
    if found is None:
        if len(_SELECTIONS) >= _SELECTIONS_KEPT:
            _SELECTIONS.clear()
        found = _SELECTIONS[key] = tuple([
            (rule, template, f"{name}_{rule.name}" if name else rule.name)
            for rule, template in _templates(files)[0]
            if include is None or include(rule)
        ])
    return found


class RuleBinder:
    """The bound rules of one registry made one at a time, by their rule's position among all
    the rules of the files (the registry's ``universe``).

    A process taking a worker's associations back needs the bound rules
    they name (a few of a candidate's 44), not the whole registry again.
    Each rule is bound once, as in a registry, so associations of one rule
    share their bound rule.
    """

    def __init__(self, files: list[RuleFile], name: str | None, global_ids=None, has_global=False):
        self._selection = _selection(files, name, None)
        self._name = name
        self._global = _global_leaf(global_ids, has_global)
        self._screening = _screens(self._global)
        self._bound: dict[int, BoundRule] = {}

    def __call__(self, position: int) -> BoundRule:
        bound = self._bound.get(position)
        if bound is None:
            rule, template, asn_rule = self._selection[position]
            bound = self._bound[position] = BoundRule(
                rule, self._name, self._global, template, asn_rule, self._screening,
            )
        return bound


class Registry:
    """An ordered set of bound rules plus the callbacks of their files."""

    def __init__(self, files: list[RuleFile], name: str | None, global_ids=None, has_global=False,
                 include=None):
        self.name = name
        self.files = files
        global_leaf = _global_leaf(global_ids, has_global)
        screening = _screens(global_leaf)
        # ``universe``: every rule's template, left out by ``include`` or not: the row-only
        # filters of registries made from the same files share what they learn (static_filter)
        self.universe = _templates(files)[1]
        self.rules: list[BoundRule] = [
            BoundRule(rule, name, global_leaf, template, asn_rule, screening)
            for rule, template, asn_rule in _selection(files, name, include)
        ]
        self.finalizers = [f.finalize for f in files if f.finalize is not None]
        merges = [f.merge for f in files if f.merge is not None]
        self.merge = merges[-1] if merges else None

    def extend(self, other: Registry) -> None:
        self.rules.extend(other.rules)
        if other.files is not self.files:
            self.universe = (*self.universe, *other.universe)


def resolve_rule_files(user_files, ignore_default: bool) -> list[RuleFile]:
    paths = [] if ignore_default else list(DEFAULT_RULE_FILES)
    paths.extend(user_files or ())
    if not paths:
        raise RuleError("No rule definition files specified (--ignore-default needs -r FILE)")
    return [load_rule_file(path) for path in paths]
