"""A subcommand's options as data: declared to argparse, or read from a plain command line.

``asngen generate`` runs in a fraction of a second, and building argparse's
parser for it (with argparse itself, and the gettext and locale modules it
imports) took about 3 ms of each run's start, 2% of mega_pool's.  So its
options are written down once, as :class:`Option` values.  :func:`declare`
gives them to argparse, which reads every command line it is shown and
prints help and errors; :func:`read_plain` reads the usual command line
directly: one positional argument and options spelled exactly as declared
(``-p out``, ``--path out``, ``--path=out``, ``--dry-run``, ``--version-id``
bare or with its value).  Anything else (``-h``, abbreviations, short
options run together, a value that looks like an option, a value argparse
would refuse, options taking one or more values, ``--``) makes
:func:`read_plain` answer None, and
argparse reads that line as it always did.  The two agree on every line
:func:`read_plain` reads (``tests/test_cli_arguments.py`` checks them on
generated command lines).
"""

from __future__ import annotations

from types import SimpleNamespace

from .._collection_types import Callable, Sequence

TYPE_CHECKING = False  # typing costs a run's start 2 ms: the hints need it only when checked
if TYPE_CHECKING:
    import argparse

#: what an option does with its value(s)
FLAG = "flag"  # no value: True when given (argparse's store_true)
VALUE = "value"  # one value, the last one given wins
APPEND = "append"  # one value, repeatable: the list of them
OPTIONAL = "optional"  # zero or one value (nargs="?"; bare: ``const``)
SEVERAL = "several"  # one or more values (nargs="+")


class Option:
    """One option: its spellings, where its value goes, and how argparse shows it.

    ``exclusive``: the option belongs to the subcommand's one group of
    mutually exclusive options.  ``convert``: turns the text into the value
    (argparse's ``type``; it raises on a value to refuse).
    """

    __slots__ = ("flags", "dest", "kind", "default", "help", "metavar", "const", "choices", "convert",
                 "exclusive")

    def __init__(
        self, flags: Sequence[str], kind: str, help: str, *, dest: str | None = None,  # noqa: A002
        default: object = None, metavar: str | None = None, const: object = None,
        choices: tuple | None = None, convert: Callable[[str], object] | None = None,
        exclusive: bool = False,
    ) -> None:
        self.flags = tuple(flags)
        self.kind = kind
        self.help = help
        self.dest = dest or self.flags[-1].lstrip("-").replace("-", "_")
        self.default = False if kind == FLAG else default
        self.metavar = metavar
        self.const = const
        self.choices = choices
        self.convert = convert
        self.exclusive = exclusive


def declare(parser: argparse.ArgumentParser, options: Sequence[Option]) -> None:
    """Give ``options`` to argparse (the exclusive ones in one mutually exclusive group)."""
    group = None
    for option in options:
        target = parser
        if option.exclusive:
            if group is None:
                group = parser.add_mutually_exclusive_group()
            target = group
        settings: dict = {"dest": option.dest, "help": option.help}
        if option.kind == FLAG:
            settings["action"] = "store_true"
        else:
            settings.update(default=option.default, metavar=option.metavar)
            if option.kind == APPEND:
                settings["action"] = "append"
            elif option.kind == OPTIONAL:
                settings.update(nargs="?", const=option.const)
            elif option.kind == SEVERAL:
                settings["nargs"] = "+"
            if option.choices is not None:
                settings["choices"] = option.choices
            if option.convert is not None:
                settings["type"] = option.convert
        target.add_argument(*option.flags, **settings)


def read_plain(argv: Sequence[str], positional: str, options: Sequence[Option],
               defaults: dict | None = None) -> SimpleNamespace | None:
    """What argparse would make of ``argv`` (a subcommand's words after its name), when it is a
    plain command line (see the module docstring); None otherwise.

    ``positional``: the name of the one positional argument; ``defaults``: values set on
    the namespace besides the options' (the subcommand's name, as argparse's sub-parser
    puts it).
    """
    by_flag = {flag: option for option in options for flag in option.flags}
    values: dict = {option.dest: _default(option) for option in options}
    found = None
    exclusive_given = None
    position = 0
    count = len(argv)
    while position < count:
        word = argv[position]
        position += 1
        if not word.startswith("-"):
            if found is not None:
                return None  # a second positional: argparse reports it
            found = word
            continue
        name, equals, attached = word.partition("=")
        explicit = bool(equals) and name.startswith("--")  # ``--name=value``
        option = by_flag.get(name if explicit else word)
        if option is None or option.kind == SEVERAL:
            return None
        if option.exclusive:
            if exclusive_given is not None and exclusive_given is not option:
                return None  # argparse refuses two of the group
            exclusive_given = option
        if option.kind == FLAG:
            if explicit:
                return None  # a flag takes no value
            values[option.dest] = True
            continue
        if explicit:
            text = attached
        elif position < count and not argv[position].startswith("-"):
            text = argv[position]  # (argparse takes it too, even for an optional value)
            position += 1
        elif option.kind == OPTIONAL:
            values[option.dest] = option.const  # given bare
            continue
        else:
            return None  # no value (or one argparse would take for an option)
        if option.choices is not None and text not in option.choices:
            return None
        value: object = text
        if option.convert is not None:
            try:
                value = option.convert(text)
            except Exception:  # noqa: BLE001 - argparse reports it
                return None
        if option.kind == APPEND:
            values[option.dest] = [*(values[option.dest] or ()), value]
        else:
            values[option.dest] = value
    if found is None:
        return None
    return SimpleNamespace(**(defaults or {}), **{positional: found}, **values)


def _default(option: Option) -> object:
    """An option's value when it is not given (argparse converts a default given as text)."""
    if option.convert is not None and isinstance(option.default, str):
        return option.convert(option.default)
    return option.default
