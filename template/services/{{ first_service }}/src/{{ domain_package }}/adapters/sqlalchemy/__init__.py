"""SQLAlchemy 2 (Core) implementations of the persistence ports.

Core tables rather than ORM-mapped classes keep the domain's dataclasses free of
persistence concerns; the repositories translate rows to entities and back.
"""

from .engine import create_database_engine
from .tables import metadata
from .unit_of_work import SqlUnitOfWork

__all__ = ["SqlUnitOfWork", "create_database_engine", "metadata"]
