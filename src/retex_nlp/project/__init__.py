"""An analysis to work on: the pipeline that makes it, the project that keeps it, its edits."""

from .edits import ACTIONS, ThemeState, apply_edit, describe_edit
from .pipeline import AnalysisPipeline, analyse
from .project import NO_THEME_LABEL, Project
from .store import SCHEMA_VERSION

__all__ = ["AnalysisPipeline", "analyse", "Project", "ThemeState", "apply_edit", "describe_edit", "ACTIONS",
           "NO_THEME_LABEL", "SCHEMA_VERSION"]
