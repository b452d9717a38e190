"""Key Vault secrets and keys through azure-keyvault-secrets / azure-keyvault-keys, as Microsoft's docs
write them: DefaultAzureCredential, the vault URL from the environment, the challenge handshake unchanged."""

from __future__ import annotations

import hashlib
import os
from typing import Any

import pytest
import requests


@pytest.fixture
def vault_url(azure_env: dict[str, str]) -> str:
    return os.environ["AZURE_KEYVAULT_URL"]


@pytest.fixture
def secrets(vault_url: str) -> Any:
    from azure.identity import DefaultAzureCredential
    from azure.keyvault.secrets import SecretClient

    return SecretClient(vault_url=vault_url, credential=DefaultAzureCredential())


@pytest.fixture
def keys(vault_url: str) -> Any:
    from azure.identity import DefaultAzureCredential
    from azure.keyvault.keys import KeyClient

    return KeyClient(vault_url=vault_url, credential=DefaultAzureCredential())


def test_secrets_have_versions_and_soft_delete(secrets: Any) -> None:
    from azure.core.exceptions import ResourceExistsError, ResourceNotFoundError

    first = secrets.set_secret("db-password", "hunter2", content_type="text/plain", tags={"env": "dev"})
    second = secrets.set_secret("db-password", "correct horse")
    assert first.properties.version != second.properties.version
    assert secrets.get_secret("db-password").value == "correct horse"
    assert secrets.get_secret("db-password", first.properties.version).value == "hunter2"
    assert secrets.get_secret("db-password", first.properties.version).properties.tags == {"env": "dev"}
    versions = list(secrets.list_properties_of_secret_versions("db-password"))
    assert {v.version for v in versions} == {first.properties.version, second.properties.version}
    assert [p.name for p in secrets.list_properties_of_secrets()] == ["db-password"]

    deleted = secrets.begin_delete_secret("db-password").result()
    assert deleted.name == "db-password" and deleted.recovery_id.endswith("/deletedsecrets/db-password")
    with pytest.raises(ResourceNotFoundError) as missing:
        secrets.get_secret("db-password")
    assert missing.value.error.code == "SecretNotFound"
    with pytest.raises(ResourceExistsError) as reused:
        secrets.set_secret("db-password", "again")
    assert "deleted but recoverable" in str(reused.value)
    secrets.begin_recover_deleted_secret("db-password").result()
    assert secrets.get_secret("db-password").value == "correct horse"
    secrets.begin_delete_secret("db-password").result()
    secrets.purge_deleted_secret("db-password")
    assert [d.name for d in secrets.list_deleted_secrets()] == []
    secrets.set_secret("db-password", "a fresh start")  # purged names can be reused


def test_disabled_secrets_and_updated_properties(secrets: Any) -> None:
    from azure.core.exceptions import HttpResponseError

    secret = secrets.set_secret("api-key", "k-123")
    updated = secrets.update_secret_properties(
        "api-key", secret.properties.version, enabled=False, tags={"a": "b"}
    )
    assert updated.enabled is False and updated.tags == {"a": "b"}
    with pytest.raises(HttpResponseError) as forbidden:
        secrets.get_secret("api-key")
    assert forbidden.value.status_code == 403


def test_rsa_keys_encrypt_sign_and_wrap(keys: Any) -> None:
    from azure.identity import DefaultAzureCredential
    from azure.keyvault.keys.crypto import (
        CryptographyClient,
        EncryptionAlgorithm,
        KeyWrapAlgorithm,
        SignatureAlgorithm,
    )

    key = keys.create_rsa_key("model-signing", size=2048)
    assert key.key_type == "RSA" and key.key.n and key.key.e
    crypto = CryptographyClient(key, credential=DefaultAzureCredential())
    sealed = crypto.encrypt(EncryptionAlgorithm.rsa_oaep_256, b"feature store password")
    assert (
        crypto.decrypt(EncryptionAlgorithm.rsa_oaep_256, sealed.ciphertext).plaintext
        == b"feature store password"
    )
    digest = hashlib.sha256(b"model.joblib bytes").digest()
    signed = crypto.sign(SignatureAlgorithm.rs256, digest)
    assert crypto.verify(SignatureAlgorithm.rs256, digest, signed.signature).is_valid
    tampered = hashlib.sha256(b"other bytes").digest()
    assert not crypto.verify(SignatureAlgorithm.rs256, tampered, signed.signature).is_valid
    data_key = os.urandom(32)
    wrapped = crypto.wrap_key(KeyWrapAlgorithm.rsa_oaep, data_key)
    assert crypto.unwrap_key(KeyWrapAlgorithm.rsa_oaep, wrapped.encrypted_key).key == data_key


def test_ec_keys_sign_and_verify(keys: Any) -> None:
    from azure.identity import DefaultAzureCredential
    from azure.keyvault.keys.crypto import CryptographyClient, SignatureAlgorithm

    key = keys.create_ec_key("ec-signing", curve="P-256")
    assert key.key.crv == "P-256"
    crypto = CryptographyClient(key, credential=DefaultAzureCredential())
    digest = hashlib.sha256(b"payload").digest()
    signature = crypto.sign(SignatureAlgorithm.es256, digest).signature
    assert len(signature) == 64
    assert crypto.verify(SignatureAlgorithm.es256, digest, signature).is_valid


def test_key_errors_are_key_vaults(keys: Any) -> None:
    from azure.core.exceptions import HttpResponseError, ResourceNotFoundError

    with pytest.raises(ResourceNotFoundError) as missing:
        keys.get_key("nope")
    assert missing.value.error.code == "KeyNotFound"
    with pytest.raises(HttpResponseError) as bad_size:
        keys.create_rsa_key("tiny", size=1024)
    assert bad_size.value.status_code == 400 and "1024" in str(bad_size.value)
    keys.create_rsa_key("rotate-me")
    keys.begin_delete_key("rotate-me").result()
    assert [k.name for k in keys.list_deleted_keys()] == ["rotate-me"]
    keys.purge_deleted_key("rotate-me")


def test_requests_without_a_valid_token_get_the_challenge(vault_url: str) -> None:
    bare = requests.get(f"{vault_url}/secrets", params={"api-version": "7.5"}, timeout=10)
    assert bare.status_code == 401
    challenge = bare.headers["WWW-Authenticate"]
    assert challenge.startswith("Bearer authorization=") and 'resource="https://' in challenge
    forged = requests.get(
        f"{vault_url}/secrets",
        params={"api-version": "7.5"},
        headers={"Authorization": "Bearer not-a-token"},
        timeout=10,
    )
    assert forged.status_code == 401 and forged.json()["error"]["code"] == "Unauthorized"


def test_vault_envelope_round_trip_and_tamper_detection(azure_env: dict[str, str]) -> None:
    from azure_ai_services.infrastructure.security import VaultEnvelope
    from multi_cloud.core.errors import InvalidArgument

    envelope = VaultEnvelope("training-data")
    sealed = envelope.seal(b"patient records, row 1", b"dataset=v3")
    assert b"patient" not in sealed.ciphertext and len(sealed.wrapped_key) == 384  # RSA-3072
    assert envelope.open(sealed, b"dataset=v3") == b"patient records, row 1"
    with pytest.raises(InvalidArgument, match="altered"):
        envelope.open(sealed, b"dataset=v4")


def test_a_missing_vault_url_names_the_fix(
    azure_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from azure_ai_services.infrastructure.security import secret_client
    from multi_cloud.core.errors import ConfigurationError

    monkeypatch.delenv("AZURE_KEYVAULT_URL")
    with pytest.raises(ConfigurationError, match="Vault URI"):
        secret_client()
