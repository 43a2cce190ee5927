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
