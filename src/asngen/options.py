"""The options of one generation run, shared by the CLI, the API and batch.

They mirror the reference ``asn_generate`` options one for one, so that a
command line translates into exactly one :class:`GenerateOptions`.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class GenerateOptions:
    """Everything that decides which associations a pool yields and how they are written."""

    ids: tuple[str, ...] | None = None  # -i/--ids
    discover: bool = False  # --discover
    all_candidates: bool = False  # --all-candidates
    rules: tuple[str, ...] = ()  # -r/--rules, user rule files in order
    ignore_default: bool = False  # --ignore-default
    version_id: str | bool | None = None  # --version-id: a string, True for a UTC timestamp, or None
    delimiter: str = "|"  # -d/--delimiter
    pool_format: str = "ascii"  # --pool-format
    dms: bool = False  # --DMS
    debug: bool = False  # -D/--debug (duplicates renamed dupNNNNN_ instead of removed)
    finalize: bool = True  # --no-finalize turns it off
    merge: bool = False  # --merge
    per_pool_algorithm: bool = False  # --per-pool-algorithm
    fmt: str = "json"  # --format json|yaml
    strict: bool = False  # --strict: abort on rows that cannot be classified
    explain: bool = False  # record the reason for every decision (asngen explain/report)
    #: processes for the per-candidate passes: 1 stays in this process, None uses every
    #: available CPU for pools big enough to gain (the output is the same either way)
    jobs: int | None = field(default=1, compare=False)
    extra: dict = field(default_factory=dict, compare=False)

    def mode(self) -> tuple[bool, bool]:
        """(discover, all_candidates) as the reference derives them: no flag at all means both."""
        if self.ids is None and not self.discover and not self.all_candidates:
            return True, True
        return self.discover, self.all_candidates
