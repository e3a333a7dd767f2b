"""The plan importer: from a plan's text (.txt, .docx, .pdf) to a draft configuration for review.

``read_plan`` gives the cleaned text, ``find_items`` its reporting clauses (sentences, the report blocks of a
reporting regime: :mod:`.blocks`, and the rows of a regime written as a table: :mod:`.tables`),
``find_targets`` its targets and leads, ``import_plan`` the commented YAML
draft (``dondoc plans import FILE``), ``pending_reviews`` the review points a saved draft still holds
(``dondoc plans import --check``).
"""

from .clauses import Item, WrittenDay, find_items
from .draft import Draft, areas_of, draft_plan, import_plan, level_of, pending_reviews
from .targets import FoundTarget, find_targets
from .text import PlanFileError, clean, read_plan

__all__ = [
    "Draft",
    "FoundTarget",
    "Item",
    "PlanFileError",
    "WrittenDay",
    "areas_of",
    "clean",
    "draft_plan",
    "find_items",
    "find_targets",
    "import_plan",
    "level_of",
    "pending_reviews",
    "read_plan",
]
