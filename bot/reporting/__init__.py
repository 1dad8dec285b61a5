"""How callers fare, counted once for `bot report ...` and the supervisors' console alike.

period (what is counted) -> facts (each conversation, from events) -> funnel / overview / variants
/ handoffs / recoveries / locks (the figures) -> tables (CSV, JSON, terminal and console exports)."""
from bot.reporting.facts import ConversationFacts, load_facts
from bot.reporting.funnel import Funnel, funnel
from bot.reporting.handoffs import DepartmentHandoffs, Handoffs, handoff_report
from bot.reporting.overview import Overview, overview
from bot.reporting.period import CHANNELS, PRESETS, Period, between, preset
from bot.reporting.recoveries import RecoveryRow
from bot.reporting.tables import Table, funnel_table, overview_tables, variants_tables
from bot.reporting.variants import MIN_PER_VARIANT, ABTest, variants

__all__ = ["ABTest", "CHANNELS", "ConversationFacts", "DepartmentHandoffs", "Funnel", "Handoffs", "MIN_PER_VARIANT",
           "Overview", "PRESETS", "Period", "RecoveryRow", "Table", "between", "funnel", "funnel_table", "handoff_report",
           "load_facts", "overview", "overview_tables", "preset", "variants", "variants_tables"]
