"""Settings given as text (``--set key=value``, config files) converted to the type of their
default, shared by every component with a defaults dict (systems, baselines)."""

from __future__ import annotations

import json
from typing import Any

import numpy as np

_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off")


def coerce_setting(owner: str, key: str, value: Any, default: Any) -> Any:
    """``value`` converted to the type of ``default``; a ValueError names ``owner`` and ``key``.

    Args:
        owner: what the setting belongs to, for the message (e.g. ``"system 'burgers'"``).
    """
    try:
        if isinstance(default, bool):
            if isinstance(value, str):
                if value.lower() in _TRUE + _FALSE:
                    return value.lower() in _TRUE
                raise ValueError
            if not isinstance(value, (bool, int, np.integer)):
                raise ValueError
            return bool(value)
        if isinstance(default, int):
            if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
                raise ValueError
            return int(value)
        if isinstance(default, float):
            if isinstance(value, bool):
                raise ValueError
            return float(value)
        if isinstance(value, str) and value.lstrip().startswith("["):
            return json.loads(value)  # a list given on the command line as JSON
        if isinstance(default, str) and not isinstance(value, (list, tuple)):
            return str(value)         # (a list may stand where a name is the default: user terms)
        return value
    except (TypeError, ValueError):
        raise ValueError(f"{owner}: setting {key}={value!r} is not a valid {type(default).__name__}") from None


def resolve_settings(owner: str, defaults: dict, choices: dict, given: dict) -> dict[str, Any]:
    """``defaults`` overridden by ``given``, each value coerced to its default's type and checked
    against ``choices`` (a list value, e.g. user terms, is not a choice and passes).

    Raises:
        ValueError: an unknown setting (listing the known ones), a value of the wrong type, or a
            value outside its choices; the message starts with ``owner``.
    """
    unknown = sorted(set(given) - set(defaults))
    if unknown:
        raise ValueError(f"{owner} has no setting {unknown[0]!r}; known settings: "
                         f"{', '.join(sorted(defaults)) or 'none'}")
    resolved = dict(defaults)
    for key, value in given.items():
        resolved[key] = coerce_setting(owner, key, value, defaults[key])
    for key, allowed in choices.items():
        value = resolved[key]
        if not isinstance(value, (list, tuple)) and value not in allowed:
            raise ValueError(f"{owner}: setting {key}={value!r} is not one of {list(allowed)}")
    return resolved
