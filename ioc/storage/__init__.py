"""The storage layer: the only place in ioc that holds SQL.

Submodules each own one group of tables (``observations``, ``catalog``,
``areas`` ...). Callers get a :class:`~ioc.storage.db.Database` from
:func:`~ioc.storage.db.get_database` and pass it in.
"""

from ioc.storage.db import Database, close_database, get_database, set_database

__all__ = ["Database", "get_database", "set_database", "close_database"]
