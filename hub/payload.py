"""The base of the hub's small input models (read marks, scheduled sends, HTTP queries).

On pydantic only, so that any module of field types and rules can build on it."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Payload(BaseModel):
    """An input: unknown keys (a forged `from`, a parameter of a newer client) are ignored, never
    trusted; a validated payload does not change."""

    model_config = ConfigDict(extra="ignore", frozen=True)
