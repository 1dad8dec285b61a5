"""The garbage collector set for a server that answers calls: no pause of a tenth of a second every
few seconds.

CPython's full collection walks every object that can hold references, and in `bot serve` most of
them were made at start-up (flows, models, the libraries) and live as long as the process. Under
1,000 paced callers (benchmarks/load.py) a full collection ran every ~5 s and took 130-190 ms, with
every call waiting behind it: the 99th percentile of the silence callers hear was 100-190 ms, and
24 ms with the collector switched off (docs/performance.md). So, once the app is built:

- what start-up made is frozen (gc.freeze): kept out of every later collection, as it is never garbage;
- a full collection waits for 100 collections of the middle generation instead of 10 (under that
  load the middle generation ran ~3 times a second, so a full collection at most every ~35 s; none
  ran in a 40 s measured window); the young generations keep CPython's thresholds,
  so short-lived cycles are still freed within milliseconds.

Only a serving process does this (`bot serve`, each of its workers): tests and the `bot` commands keep
CPython's defaults.
"""
from __future__ import annotations

import gc

# Middle-generation collections between two full ones (CPython's default: 10).
FULL_COLLECTION_EVERY = 100


def settle_for_serving() -> None:
    """Call once the app is built, before the first request: freeze what exists, space out full collections."""
    gc.collect()  # start-up's own garbage is freed, not frozen with the rest
    gc.freeze()
    young, middle, _ = gc.get_threshold()
    gc.set_threshold(young, middle, FULL_COLLECTION_EVERY)
