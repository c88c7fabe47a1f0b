"""Adapters: the ports implemented with real technology (SQLAlchemy, structured logs)."""
