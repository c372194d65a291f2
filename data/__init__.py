"""Persistence: settings, SQLModel tables, the engine and sessions."""
