"""Hyperparameters as SageMaker stores them: every value JSON-encoded into a string, like the SDK does."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

#: framework settings the SDK passes as hyperparameters; the container hides them from the script
FRAMEWORK_PREFIX = "sagemaker_"


def encode_hyperparameters(values: Mapping[str, Any]) -> dict[str, str]:
    """``{"n-estimators": 20, "model": "rf"}`` -> ``{"n-estimators": "20", "model": '"rf"'}``."""
    return {str(name): json.dumps(value) for name, value in values.items()}


def decode_value(text: str) -> Any:
    """What the training container does with each stored value: JSON when it parses, else the text."""
    try:
        return json.loads(text)
    except ValueError:
        return text


def decode_hyperparameters(stored: Mapping[str, str]) -> dict[str, Any]:
    return {name: decode_value(value) for name, value in stored.items()}


def user_hyperparameters(stored: Mapping[str, str]) -> dict[str, Any]:
    """The decoded hyperparameters the script receives (framework ``sagemaker_*`` ones removed)."""
    return {k: v for k, v in decode_hyperparameters(stored).items() if not k.startswith(FRAMEWORK_PREFIX)}


def display_hyperparameters(stored: Mapping[str, str]) -> dict[str, str]:
    """User hyperparameters as plain strings (``"20"``, ``"rf"``) for :class:`TrainingJob`."""
    return {k: v if isinstance(v, str) else json.dumps(v) for k, v in user_hyperparameters(stored).items()}
