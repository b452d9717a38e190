"""What a provider's client factory does differently per mode — the one place that asks which mode is on.

Local mode: find the local cloud (the shell's exports, else the background one) before a client is made, and
refuse a client whose endpoint is not loopback, so lesson code can never reach a real cloud by accident.
Cloud mode: the provider's own credential chain must find credentials. A provider's factory calls these
three hooks and never branches on the mode itself (GCP and Azure factories do the same).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from multi_cloud.core.errors import ConfigurationError, PermissionDenied
from multi_cloud.core.settings import Settings

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})


@dataclass(frozen=True)
class ClientRules:
    """The rules for one provider's clients under one settings object."""

    settings: Settings
    provider: str
    #: the variable the provider's SDK reads for the local endpoint (e.g. AWS_ENDPOINT_URL)
    endpoint_variable: str
    #: the fix to print when cloud mode finds no credentials (e.g. "Run `aws configure` ...")
    credentials_fix: str

    def prepare(self, environ: Mapping[str, str], export: Callable[[Mapping[str, str]], None]) -> None:
        """Local mode: make sure the SDK will find the local cloud (``export`` its variables if needed)."""
        if not self.settings.is_local or environ.get(self.endpoint_variable):
            return
        from multi_cloud.local_cloud.control import status

        background = status(self.settings.state_dir)
        if background.running and background.env.get(self.endpoint_variable):
            export(background.env)
            return
        raise ConfigurationError(
            f"local mode needs the local cloud, and none is running ({self.endpoint_variable} is not set). "
            'Start it with `cloudai local up` then `eval "$(cloudai local env)"`, or call '
            "multi_cloud.local_cloud.ensure_running() in Python; set CLOUDAI_MODE=cloud to use the real "
            "cloud.",
            provider=self.provider,
        )

    def local_endpoint(self, environ: Mapping[str, str]) -> str:
        """Local mode: the endpoint to give the SDK (after :meth:`prepare`); cloud mode: "" (its default).

        For SDKs that read no endpoint variable of their own (the Google clients take
        ``client_options.api_endpoint``), so their factory passes it without asking which mode is on.
        """
        return environ.get(self.endpoint_variable, "") if self.settings.is_local else ""

    def check_credentials(self, found: bool) -> None:
        """Cloud mode: the SDK's credential chain found nothing → say how to configure it."""
        if not self.settings.is_local and not found:
            raise PermissionDenied(
                f"no {self.provider.upper()} credentials found. {self.credentials_fix} To work offline set "
                "CLOUDAI_MODE=local instead.",
                provider=self.provider,
            )

    def check_endpoint(self, service: str, endpoint_url: str, variables: str) -> None:
        """Local mode: a client whose endpoint is not loopback is refused (``variables`` names the fix)."""
        host = urlsplit(endpoint_url).hostname or ""
        if self.settings.is_local and host not in LOOPBACK_HOSTS:
            raise ConfigurationError(
                f"local mode refused to create a {service} client for {endpoint_url}: local mode only talks "
                f"to the local cloud on 127.0.0.1. Check {variables}, or set CLOUDAI_MODE=cloud.",
                provider=self.provider,
            )
