"""Every internal part of pydantic the hub uses, and nowhere else.

The store builds the `Notification` of a plain direct notification from a draft the hub has already
validated (`hub/store/rows.py`, `plain_notification`): what `BaseModel.model_construct` does for
those fields, written out, since pydantic's own takes longer than validating. That means setting
the instance's `__dict__` and the three slots pydantic keeps beside it. `SURFACE` lists them, and
the source of `model_construct` the copy follows; tests/hub/test_library_internals.py checks them
against the release installed, and tests/store/test_batch_plan.py that the result equals the
validated model. `hub/validation.py` calls a model's own validator (`validator`), as
`BaseModel.model_validate` does, without that method's frame: every event and body passes there.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel
from pydantic_core import SchemaValidator

from hub.surface import Kind, Library, Private, attribute

M = TypeVar("M", bound=BaseModel)

_new = object.__new__
_set = object.__setattr__


def validator(model: type[BaseModel]) -> SchemaValidator:
    """The validator `model.model_validate` calls (with the same defaults, as `validate_python`)."""
    return model.__pydantic_validator__  # type: ignore[return-value]


def unvalidated(cls: type[M], fields: dict[str, Any], given: frozenset[str]) -> M:
    """An instance of `cls` holding `fields` (every field of the model, none of them extra or
    private) as given, `given` being those the caller set (`model_fields_set`)."""
    model: M = _new(cls)
    _set(model, "__dict__", fields)
    _set(model, "__pydantic_fields_set__", set(given))
    _set(model, "__pydantic_extra__", None)
    _set(model, "__pydantic_private__", None)
    return model


_MODEL = "pydantic.main.BaseModel"
_USER = "hub/pydantic_internals.py unvalidated → hub/store/rows.py plain_notification"

PYDANTIC = Library(
    distribution="pydantic",
    tested="2.14.4",
    revisit="hub/pydantic_internals.py",
    surface=(
        Private(
            _MODEL,
            "model_construct",
            Kind.SOURCE,
            "fdae7fe1f8938508",
            f"{_USER}: sets what this sets, for a model without extra or private fields",
            "model_construct itself (slower than validating)",
        ),
        attribute(_MODEL, "__pydantic_fields_set__", _USER),
        attribute(_MODEL, "__pydantic_extra__", _USER),
        attribute(_MODEL, "__pydantic_private__", _USER),
        attribute(
            _MODEL,
            "__pydantic_validator__",
            "hub/pydantic_internals.py validator → hub/validation.py validate: what model_validate calls",
            "model_validate",
        ),
        Private(
            _MODEL,
            "model_validate",
            Kind.SOURCE,
            "515fdab70e604d02",
            "hub/validation.py validate: calls the validator this calls, with the defaults this passes",
            "model_validate itself (one frame more an event)",
        ),
    ),
)
