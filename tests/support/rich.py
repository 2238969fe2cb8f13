"""A rich notification the tests send: a question with answer buttons, a link, Markdown, priority."""

from __future__ import annotations

from typing import Any

APPROVAL: dict[str, Any] = {
    "title": "Deploy 2.14 to prod?",
    "message": "**2.14** passed staging",
    "priority": "high",
    "click": "https://ci.lan/pipelines/118",
    "format": "markdown",
    "actions": [
        {"action": "respond", "label": "Approve"},
        {"action": "respond", "label": "Reject"},
        {"action": "view", "label": "Pipeline", "url": "https://ci.lan/pipelines/118"},
    ],
}
