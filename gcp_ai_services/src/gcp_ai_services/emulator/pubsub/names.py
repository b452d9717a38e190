"""Pub/Sub resource names (``projects/p/topics/t``) checked as Google checks them, with its error wording."""

from __future__ import annotations

import re

from multi_cloud.emulation.protocols.google.errors import GoogleError

_ID = re.compile(r"^[A-Za-z][-A-Za-z0-9_.~+%]{2,254}$")
_NAME = re.compile(r"^projects/(?P<project>[^/]+)/(?P<kind>topics|subscriptions)/(?P<id>[^/]+)$")


def checked(name: str, kind: str) -> str:
    """``name`` if it is a valid ``projects/*/{kind}/*``; INVALID_ARGUMENT naming it otherwise."""
    match = _NAME.match(name)
    if match is None or match.group("kind") != kind:
        raise GoogleError("INVALID_ARGUMENT", f"Invalid [{kind}] name: (name={name})")
    resource_id = match.group("id")
    if not _ID.match(resource_id) or resource_id.lower().startswith("goog"):
        raise GoogleError(
            "INVALID_ARGUMENT",
            f"Invalid [{kind}] name: (name={name}); an ID is 3-255 letters, digits or -_.~+%, starts with a "
            "letter and not with 'goog'",
        )
    return name


def short(name: str) -> str:
    """The ID at the end of a resource name, as Google names it in errors."""
    return name.rsplit("/", 1)[-1]


def not_found(name: str) -> GoogleError:
    return GoogleError("NOT_FOUND", f"Resource not found (resource={short(name)}).")


def already_exists(name: str) -> GoogleError:
    return GoogleError("ALREADY_EXISTS", f"Resource already exists in the project (resource={short(name)}).")
