"""Conversation tests supervisors write: YAML files of turns run against the flow (`bot flows test`)."""
