"""The README's supervisor section shows the console: two screenshots, both in the repository."""
from __future__ import annotations

import re

from tests.conftest import ROOT


def test_the_supervisor_section_shows_two_screenshots_of_the_console():
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## For supervisors: the console", 1)[1].split("\n## ", 1)[0]
    images = re.findall(r"!\[([^\]]+)\]\((docs/images/console-[\w-]+\.png)\)", section)
    assert len(images) == 2, images
    for alt, path in images:
        picture = ROOT / path
        assert alt.strip() and picture.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and picture.stat().st_size > 10_000
    # The overview's text names every figure the overview shows.
    flat = " ".join(section.split())
    for words in ("how handoffs ended", "average and longest wait", "customer numbers recovered by SMS", "locks today"):
        assert words in flat, words
