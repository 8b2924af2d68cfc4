"""Long lists cut into slices: bulk inserts and IN lists stay of a size every database takes (Python 3.12's
itertools.batched, for 3.11)."""

from collections.abc import Iterator, Sequence
from typing import TypeVar

T = TypeVar("T")


def batches(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for first in range(0, len(items), size):
        yield items[first : first + size]
