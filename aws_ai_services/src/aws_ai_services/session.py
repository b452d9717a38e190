"""The one boto3 client factory: same code for local (moto) and cloud mode, only configuration differs."""

from __future__ import annotations

import os
import threading
from typing import TYPE_CHECKING, Any

from multi_cloud.core.errors import ConfigurationError
from multi_cloud.core.settings import Settings, get_settings
from multi_cloud.local_cloud.client_rules import ClientRules

if TYPE_CHECKING:  # pragma: no cover
    import boto3

_CACHE: dict[tuple[str, ...], Any] = {}
_SESSIONS: dict[tuple[str, ...], boto3.session.Session] = {}
_LOCK = threading.Lock()


def aws_client(service: str, settings: Settings | None = None) -> Any:
    """A boto3 client for ``service`` ("s3", "sagemaker", "logs", ...) in the configured mode.

    Local mode: boto3 reads ``AWS_ENDPOINT_URL`` (exported by ``cloudai local env`` or the pytest
    fixtures); when it is unset the background local cloud is looked up, and without one this raises
    :class:`ConfigurationError` — local mode never reaches real AWS, which the resolved endpoint is
    checked against. Cloud mode: the standard credential chain (``aws configure``, ``AWS_PROFILE``).
    """
    settings = settings or get_settings()
    rules = _rules(settings)
    rules.prepare(os.environ, os.environ.update)
    region = settings.aws.region
    profile = settings.aws.profile or ""
    # botocore names per-service variables after the service id (lexv2-runtime -> _LEX_RUNTIME_V2), so the
    # cache key takes every endpoint variable rather than guessing the one this service reads
    endpoint = "|".join(f"{k}={v}" for k, v in sorted(os.environ.items()) if k.startswith("AWS_ENDPOINT_URL"))
    env_identity = (os.environ.get("AWS_PROFILE", ""), os.environ.get("AWS_ACCESS_KEY_ID", ""))
    identity: tuple[str, ...] = (settings.mode, region, profile, *env_identity)
    key = (service, endpoint, *identity)
    with _LOCK:
        if key in _CACHE:
            return _CACHE[key]
        session = _session(identity, region, profile)
        rules.check_credentials(session.get_credentials() is not None)
        client = session.client(service)
        rules.check_endpoint(
            service,
            client.meta.endpoint_url,
            f"AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_{service.upper()} and unset "
            "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
        )
        _CACHE[key] = client
        return client


def _session(identity: tuple[str, ...], region: str, profile: str) -> boto3.session.Session:
    """One boto3 session per identity (mode, region, profile, credentials), so clients share loaders."""
    import boto3
    from botocore.exceptions import ProfileNotFound

    if identity not in _SESSIONS:
        try:
            _SESSIONS[identity] = boto3.session.Session(region_name=region, profile_name=profile or None)
        except ProfileNotFound as exc:
            raise ConfigurationError(
                f"AWS profile {profile!r} does not exist. Create it with `aws configure --profile "
                f"{profile}` or change CLOUDAI_AWS__PROFILE.",
                provider="aws",
                cause=exc,
            ) from exc
    return _SESSIONS[identity]


def _rules(settings: Settings) -> ClientRules:
    return ClientRules(
        settings,
        provider="aws",
        endpoint_variable="AWS_ENDPOINT_URL",
        credentials_fix="Run `aws configure` (or `aws sso login`), or set AWS_PROFILE to a configured "
        "profile.",
    )


def clear_client_cache() -> None:
    """Forget cached clients and sessions (after changing credentials or profiles in-process)."""
    with _LOCK:
        _CACHE.clear()
        _SESSIONS.clear()


class ServiceClient:
    """A class attribute giving the boto3 client for its owner's settings: ``ecs = ServiceClient("ecs")``.

    Resolved on each access through :func:`aws_client`'s cache, so a changed local-cloud endpoint is followed.
    """

    def __init__(self, service: str) -> None:
        self.service = service

    def __get__(self, owner_instance: Any, owner: type | None = None) -> Any:
        if owner_instance is None:
            return self
        return aws_client(self.service, owner_instance.settings)
