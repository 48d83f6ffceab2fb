"""What a person reads: the report (HTML, Excel, Word), its charts and tables, REFI-QDA export."""

from .crosstab import theme_by_group
from .qdpx import write_qdpx
from .report import Report

__all__ = ["Report", "theme_by_group", "write_qdpx"]
