"""Just enough HTML reading for tests: text by element id, tables as rows of cell texts, hidden inputs."""
from __future__ import annotations

import re
from html.parser import HTMLParser

VOID = {"input", "br", "img", "meta", "link", "hr", "rect", "line"}


class _Tree(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, dict]] = []
        self.texts: dict[str, list[str]] = {}
        self.open_ids: list[tuple[int, str]] = []
        self.tables: dict[str, list[list[str]]] = {}
        self.table: str | None = None
        self.row: list[str] | None = None
        self.cell: list[str] | None = None
        self.in_caption = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in VOID:
            return
        self.stack.append((tag, attrs))
        if attrs.get("id"):
            self.open_ids.append((len(self.stack), attrs["id"]))
            self.texts.setdefault(attrs["id"], [])
        if tag == "table" and attrs.get("id"):
            self.table = attrs["id"]
            self.tables[self.table] = []
        elif tag == "tr" and self.table:
            self.row = []
        elif tag in ("td", "th") and self.row is not None:
            self.cell = []
        elif tag == "caption":
            self.in_caption = True

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        while self.stack:
            open_tag, _ = self.stack.pop()
            depth = len(self.stack) + 1
            self.open_ids = [(d, i) for d, i in self.open_ids if d < depth]
            self._close(open_tag)
            if open_tag == tag:
                break

    def _close(self, tag):
        if tag in ("td", "th") and self.cell is not None and self.row is not None:
            self.row.append(" ".join("".join(self.cell).split()))
            self.cell = None
        elif tag == "tr" and self.row is not None and self.table:
            self.tables[self.table].append(self.row)
            self.row = None
        elif tag == "table":
            self.table = None
        elif tag == "caption":
            self.in_caption = False

    def handle_data(self, data):
        for _, element in self.open_ids:
            self.texts[element].append(data)
        if self.cell is not None and not self.in_caption:
            self.cell.append(data)


class Page:
    def __init__(self, html: str):
        self.html = html
        tree = _Tree()
        tree.feed(html)
        self._texts = {k: " ".join("".join(v).split()) for k, v in tree.texts.items()}
        self.tables = tree.tables

    def text(self, element_id: str) -> str:
        return self._texts[element_id]

    def table(self, element_id: str, *, header: bool = False) -> list[list[str]]:
        rows = self.tables[element_id]
        return rows if header else rows[1:]


def hidden(html: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert match, f"no hidden input {name}"
    return match.group(1)
