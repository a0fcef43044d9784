"""The work queue of the generator.

Rows are processed in lists; each list says which rules may see its rows and
whether they may join existing associations, start new ones, or both.  Lists
come out by category priority (RULES, BOTH, EXISTING, NONSCIENCE), first in
first out within a category, and a list whose key (rules, category,
only_on_match) is already waiting absorbs the new rows instead of queueing a
second list.  These details decide which association a row reaches first,
so they follow the reference exactly.
"""

from __future__ import annotations

from .constraints import Category, Reprocess


class WorkQueue:
    def __init__(self) -> None:
        self._queues: list[dict] = [{} for _ in Category.names]

    def push(self, request: Reprocess) -> None:
        queue = self._queues[request.work_over]
        key = request.key()
        waiting = queue.get(key)
        if waiting is None:
            queue[key] = request
        else:
            waiting.items.extend(request.items)

    def pop(self) -> Reprocess | None:
        for queue in self._queues:
            if queue:
                key = next(iter(queue))
                return queue.pop(key)
        return None

    def __len__(self) -> int:
        return sum(len(queue) for queue in self._queues)


def keep_after(request: Reprocess, current: int) -> Reprocess | None:
    """Filter requests raised while processing a list of category ``current``.

    Nothing raised while working on EXISTING or NONSCIENCE lists is queued
    (this is what guarantees termination); RULES requests become BOTH.
    """
    if current not in (Category.RULES, Category.BOTH):
        return None
    if request.work_over in (Category.RULES, Category.BOTH):
        request.work_over = Category.BOTH
    return request
