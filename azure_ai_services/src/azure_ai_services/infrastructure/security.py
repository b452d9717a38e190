"""Key Vault for the lessons: secret and key clients, and envelope encryption with a vault key.

The vault's URL comes from ``AZURE_KEYVAULT_URL`` (``https://<vault>.vault.azure.net`` in Azure; ``cloudai
local env`` exports the local vault's), the credential is ``DefaultAzureCredential`` — the clients are
Microsoft's own. :class:`VaultEnvelope` encrypts data locally with a fresh AES-256-GCM key per message and
stores that key wrapped by an RSA key that never leaves the vault (RSA-OAEP-256): only a caller the vault
lets ``unwrapKey`` can decrypt.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from multi_cloud.core.errors import ConfigurationError, InvalidArgument
from multi_cloud.core.settings import Settings, get_settings

from azure_ai_services.clients import rules
from azure_ai_services.errors import azure_errors

VAULT_VARIABLE = "AZURE_KEYVAULT_URL"
NONCE_BYTES = 12


def vault_url(settings: Settings | None = None) -> str:
    """The vault's URL from ``AZURE_KEYVAULT_URL``; a clear error naming the fix when unset."""
    settings = settings or get_settings()
    vault_rules = rules(settings)
    vault_rules.prepare(os.environ, os.environ.update)
    url = os.environ.get(VAULT_VARIABLE, "")
    if not url:
        raise ConfigurationError(
            f"{VAULT_VARIABLE} is not set: export your vault's URI (Azure portal → Key Vault → Overview → "
            'Vault URI), or run `eval "$(cloudai local env)"` for the local vault',
            provider="azure",
            operation="key_vault",
        )
    vault_rules.check_endpoint("Key Vault", url, VAULT_VARIABLE)
    return url


def secret_client(settings: Settings | None = None) -> Any:
    """``azure.keyvault.secrets.SecretClient`` for the vault, with ``DefaultAzureCredential``."""
    from azure.identity import DefaultAzureCredential
    from azure.keyvault.secrets import SecretClient

    return SecretClient(vault_url=vault_url(settings), credential=DefaultAzureCredential())


def key_client(settings: Settings | None = None) -> Any:
    """``azure.keyvault.keys.KeyClient`` for the vault, with ``DefaultAzureCredential``."""
    from azure.identity import DefaultAzureCredential
    from azure.keyvault.keys import KeyClient

    return KeyClient(vault_url=vault_url(settings), credential=DefaultAzureCredential())


@dataclass(frozen=True)
class Sealed:
    """Ciphertext (with its GCM tag), the nonce, and the data key wrapped by the vault key ``key_id``."""

    key_id: str
    wrapped_key: bytes
    nonce: bytes
    ciphertext: bytes


class VaultEnvelope:
    """Envelope encryption with the vault's RSA key ``key_name`` (created on first use)."""

    def __init__(self, key_name: str, settings: Settings | None = None) -> None:
        self.key_name = key_name
        self.settings = settings or get_settings()

    def _crypto(self, key_id: str = "") -> Any:
        from azure.core.exceptions import ResourceNotFoundError
        from azure.identity import DefaultAzureCredential
        from azure.keyvault.keys.crypto import CryptographyClient

        keys = key_client(self.settings)
        with azure_errors("key_vault.key"):
            if key_id:
                return CryptographyClient(key_id, credential=DefaultAzureCredential())
            try:
                key = keys.get_key(self.key_name)
            except ResourceNotFoundError:
                key = keys.create_rsa_key(self.key_name, size=3072)
            return CryptographyClient(key, credential=DefaultAzureCredential())

    def seal(self, plaintext: bytes, associated_data: bytes = b"") -> Sealed:
        from azure.keyvault.keys.crypto import KeyWrapAlgorithm
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        data_key = AESGCM.generate_key(bit_length=256)
        nonce = os.urandom(NONCE_BYTES)
        crypto = self._crypto()
        with azure_errors("key_vault.wrap_key"):
            wrapped = crypto.wrap_key(KeyWrapAlgorithm.rsa_oaep_256, data_key)
        return Sealed(
            wrapped.key_id,
            wrapped.encrypted_key,
            nonce,
            AESGCM(data_key).encrypt(nonce, plaintext, associated_data),
        )

    def open(self, sealed: Sealed, associated_data: bytes = b"") -> bytes:
        """The plaintext; ``InvalidArgument`` if the ciphertext, nonce or associated data were altered."""
        from azure.keyvault.keys.crypto import KeyWrapAlgorithm
        from cryptography.exceptions import InvalidTag
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        with azure_errors("key_vault.unwrap_key"):
            data_key = (
                self._crypto(sealed.key_id).unwrap_key(KeyWrapAlgorithm.rsa_oaep_256, sealed.wrapped_key).key
            )
        try:
            return bytes(AESGCM(data_key).decrypt(sealed.nonce, sealed.ciphertext, associated_data))
        except InvalidTag as exc:
            raise InvalidArgument(
                "the sealed data was altered (or the associated data differs): GCM authentication failed",
                provider="azure",
                operation="key_vault.open",
            ) from exc
