"""Moving an item up or down a hand-ordered list (categories, KB sections)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, TypeVar

from forum_kb.errors import ValidationFailed


class Positioned(Protocol):
    position: int


P = TypeVar("P", bound=Positioned)


def move(ordered: Sequence[P], item: P, offset: int) -> None:
    """Swap ``item`` with its neighbour (-1 up, +1 down) and renumber every position.

    Renumbering repairs gaps and ties left by older data. Moving past either end does nothing.

    Raises:
        ValidationFailed: an offset other than -1 or 1.
    """
    if offset not in (-1, 1):
        raise ValidationFailed([("offset", "Move one place up or down.")])
    items = list(ordered)
    index = items.index(item)
    target = index + offset
    if not 0 <= target < len(items):
        return
    items[index], items[target] = items[target], items[index]
    for position, each in enumerate(items):
        each.position = position
