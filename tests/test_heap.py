"""bot.heap: a serving process freezes its start-up heap and spaces out full collections."""
from __future__ import annotations

import json
import subprocess
import sys

PROBE = """
import gc, json
from bot.heap import settle_for_serving, FULL_COLLECTION_EVERY
before = gc.get_threshold()
kept = [{"a": i} for i in range(1000)]  # start-up objects: alive, and frozen with the rest
settle_for_serving()
print(json.dumps({"before": before, "after": gc.get_threshold(), "frozen": gc.get_freeze_count(),
                  "every": FULL_COLLECTION_EVERY}))
"""


def test_settling_freezes_start_up_and_spaces_out_full_collections():
    # In a process of its own: freezing this test process's heap would keep the suite's garbage forever.
    done = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=True)
    seen = json.loads(done.stdout)
    assert seen["frozen"] >= 1000
    assert seen["after"] == [seen["before"][0], seen["before"][1], seen["every"]]
    assert seen["every"] > seen["before"][2]
