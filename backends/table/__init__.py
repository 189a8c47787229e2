"""Table backend: evaluates a NAS-Bench-201 cell by looking it up in a benchmark table.

No framework is imported and nothing is trained; see nasdsl.backends.table.backend.
"""

from nasdsl.backends.table.backend import TableBackend
from nasdsl.backends.table.table import NB201Table, TableError, load_table

__all__ = ["NB201Table", "TableBackend", "TableError", "load_table"]
