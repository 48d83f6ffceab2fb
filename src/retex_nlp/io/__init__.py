"""Reading survey exports and writing IRaMuTeQ corpora."""

from .iramuteq import parse_iramuteq, write_iramuteq
from .read import STATUSES, FileInfo, inspect_file, iter_answers, read_answers, status_summary

__all__ = ["read_answers", "iter_answers", "inspect_file", "status_summary", "FileInfo", "STATUSES",
           "write_iramuteq", "parse_iramuteq"]
