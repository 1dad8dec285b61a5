"""Fixtures for the understanding tests: the customer-number check and the corpus scorer."""

from __future__ import annotations

import importlib.util
import sys
from datetime import date
from pathlib import Path
from types import ModuleType

import pytest
from stdnum import damm

TODAY = date(2025, 6, 1)
CORPUS = Path(__file__).resolve().parent.parent / "corpus"


def damm10(value: str) -> bool:
    """The default scheme: prefix 10/20/30, seven-digit serial, Damm check digit."""
    return len(value) == 10 and value[:2] in ("10", "20", "30") and damm.is_valid(value)


@pytest.fixture(scope="session")
def evaluate() -> ModuleType:
    """tests/corpus/evaluate.py, loaded by path (tests/corpus is data, not a package)."""
    name = "understanding_corpus_evaluate"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, CORPUS / "evaluate.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]
