"""Moved: the review desk is now `flows/desk/` (the web app, on Starlette) and its rules are
`warehouse/reviews.py`. This module only keeps the old import paths working; new code imports
from those modules."""
from __future__ import annotations

from flows.desk.app import Response, ReviewDesk
from flows.desk.command import add_review_command, cmd_review
from flows.desk.server import DeskServer, make_server
from flows.desk.views import PAGE_SIZE, queue
from warehouse.reviews import (CLASSIFIED_REACHES, DECISIONS, VIEWS, Decision, ReviewError, article_state,
                               assign_reach, reason_text, record_decision, review_labels, tagger_verdicts,
                               unclassified_outlets)

__all__ = ["CLASSIFIED_REACHES", "DECISIONS", "PAGE_SIZE", "VIEWS", "Decision", "DeskServer", "Response",
           "ReviewDesk", "ReviewError", "add_review_command", "article_state", "assign_reach", "cmd_review",
           "make_server", "queue", "reason_text", "record_decision", "review_labels", "tagger_verdicts",
           "unclassified_outlets"]
