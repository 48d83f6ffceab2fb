"""What a person reads: the report (HTML, Excel, Word), its charts and tables, REFI-QDA export."""

from .crosstab import theme_by_group
from .lexicometry import write_reinert
from .qdpx import write_qdpx
from .report import Report

__all__ = ["Report", "theme_by_group", "write_qdpx", "write_reinert"]
