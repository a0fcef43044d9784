"""The options of one generation run, shared by the CLI, the API and batch.

They mirror the reference ``asn_generate`` options one for one, so that a
command line translates into exactly one :class:`GenerateOptions`.

A plain class rather than a dataclass: every ``asngen generate`` builds one,
and importing ``dataclasses`` (with ``inspect``) and making a frozen
dataclass's methods cost several milliseconds of a run's start.
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing costs a run's start 2 ms: the hints need it only when checked
if TYPE_CHECKING:
    from typing import Any



class GenerateOptions:
    """Everything that decides which associations a pool yields and how they are written.

    Immutable (assigning raises; :meth:`replace` makes a changed copy).  Two
    options are equal when every option in :attr:`DECIDING` is: ``jobs`` and
    ``extra`` do not change the output.
    """

    #: the options that decide the output, in the constructor's order
    DECIDING = (
        "ids", "discover", "all_candidates", "rules", "ignore_default", "version_id", "delimiter",
        "pool_format", "dms", "debug", "finalize", "merge", "per_pool_algorithm", "fmt", "strict", "explain",
    )

    def __init__(
        self,
        ids: tuple[str, ...] | None = None,  # -i/--ids
        discover: bool = False,  # --discover
        all_candidates: bool = False,  # --all-candidates
        rules: tuple[str, ...] = (),  # -r/--rules, user rule files in order
        ignore_default: bool = False,  # --ignore-default
        version_id: str | bool | None = None,  # --version-id: a string, True for a UTC timestamp, or None
        delimiter: str = "|",  # -d/--delimiter
        pool_format: str = "ascii",  # --pool-format
        dms: bool = False,  # --DMS
        debug: bool = False,  # -D/--debug (duplicates renamed dupNNNNN_ instead of removed)
        finalize: bool = True,  # --no-finalize turns it off
        merge: bool = False,  # --merge
        per_pool_algorithm: bool = False,  # --per-pool-algorithm
        fmt: str = "json",  # --format json|yaml
        strict: bool = False,  # --strict: abort on rows that cannot be classified
        explain: bool = False,  # record the reason for every decision (asngen explain/report)
        # processes for the per-candidate passes: 1 stays in this process, None uses every
        # available CPU for pools big enough to gain (the output is the same either way)
        jobs: int | None = 1,
        extra: dict | None = None,
    ) -> None:
        self.__dict__.update(
            ids=ids, discover=discover, all_candidates=all_candidates, rules=rules,
            ignore_default=ignore_default, version_id=version_id, delimiter=delimiter,
            pool_format=pool_format, dms=dms, debug=debug, finalize=finalize, merge=merge,
            per_pool_algorithm=per_pool_algorithm, fmt=fmt, strict=strict, explain=explain,
            jobs=jobs, extra={} if extra is None else extra,
        )

    def replace(self, **changes: Any) -> GenerateOptions:
        """A copy with ``changes`` made (unknown names raise ``TypeError``, as the constructor does)."""
        return GenerateOptions(**{**self.__dict__, **changes})

    def mode(self) -> tuple[bool, bool]:
        """(discover, all_candidates) as the reference derives them: no flag at all means both."""
        if self.ids is None and not self.discover and not self.all_candidates:
            return True, True
        return self.discover, self.all_candidates

    def _deciding(self) -> tuple:
        return tuple(self.__dict__[name] for name in self.DECIDING)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._deciding() == other._deciding()  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash(self._deciding())

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"options cannot be changed (cannot assign {name!r}); use replace()")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"options cannot be changed (cannot delete {name!r})")

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={value!r}" for name, value in self.__dict__.items())
        return f"GenerateOptions({fields})"
