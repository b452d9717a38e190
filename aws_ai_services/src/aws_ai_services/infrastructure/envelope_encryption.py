"""KMS envelope encryption: a KMS data key per message, AES-256-GCM locally, tampering detected."""

from __future__ import annotations

import base64
import json
import os
import struct
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from multi_cloud.core.errors import InvalidArgument, MissingDependency
from multi_cloud.core.settings import Settings, get_settings

from aws_ai_services.errors import aws_errors
from aws_ai_services.session import ServiceClient

MAGIC = b"CAIENV1\n"
ALGORITHM = "AES-256-GCM"
NONCE_BYTES = 12


class TamperDetected(InvalidArgument):
    """The ciphertext, its header or its encrypted data key was altered (or the context differs)."""


@dataclass(frozen=True)
class Envelope:
    """Ciphertext with everything needed to decrypt it except the KMS key itself.

    ``encrypted_data_key`` is the KMS-encrypted AES key stored beside the ciphertext; the header (key id,
    algorithm, context, encrypted key, nonce) is authenticated as GCM associated data.
    """

    key_id: str
    encrypted_data_key: bytes
    nonce: bytes
    ciphertext: bytes  # AES-GCM output: encrypted bytes followed by the 16-byte tag
    context: Mapping[str, str] = field(default_factory=dict)
    algorithm: str = ALGORITHM

    def header(self) -> bytes:
        """The canonical header: what the GCM tag authenticates and what :meth:`to_bytes` stores."""
        fields = {
            "alg": self.algorithm,
            "context": dict(sorted(self.context.items())),
            "edk": base64.b64encode(self.encrypted_data_key).decode(),
            "key_id": self.key_id,
            "nonce": base64.b64encode(self.nonce).decode(),
        }
        return json.dumps(fields, sort_keys=True, separators=(",", ":")).encode()

    def to_bytes(self) -> bytes:
        """``MAGIC | header length (4 bytes) | header JSON | ciphertext`` — one blob, e.g. an S3 object."""
        header = self.header()
        return MAGIC + struct.pack(">I", len(header)) + header + self.ciphertext

    @classmethod
    def from_bytes(cls, blob: bytes) -> Envelope:
        if not blob.startswith(MAGIC) or len(blob) < len(MAGIC) + 4:
            raise InvalidArgument("not an envelope: the blob does not start with the envelope marker")
        (length,) = struct.unpack(">I", blob[len(MAGIC) : len(MAGIC) + 4])
        start = len(MAGIC) + 4
        try:
            fields = json.loads(blob[start : start + length])
            return cls(
                key_id=fields["key_id"],
                encrypted_data_key=base64.b64decode(fields["edk"]),
                nonce=base64.b64decode(fields["nonce"]),
                ciphertext=blob[start + length :],
                context=dict(fields["context"]),
                algorithm=fields["alg"],
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise TamperDetected(f"the envelope header is unreadable ({exc}); it was altered") from exc


class EnvelopeEncryption:
    """Encrypt with a data key from ``kms.generate_data_key``; decrypt the data key with ``kms.decrypt``."""

    def __init__(self, key_id: str, settings: Settings | None = None) -> None:
        self.key_id = key_id
        self.settings = settings or get_settings()

    kms = ServiceClient("kms")

    def encrypt(self, plaintext: bytes, *, context: Mapping[str, str] | None = None) -> Envelope:
        """Encrypt ``plaintext``; ``context`` (KMS encryption context) must be given again to decrypt."""
        aesgcm = _aesgcm()
        context = dict(context or {})
        with aws_errors("security.generate_data_key"):
            response = self.kms.generate_data_key(
                KeyId=self.key_id, KeySpec="AES_256", EncryptionContext=context
            )
        data_key = response["Plaintext"]
        shell = Envelope(
            key_id=response["KeyId"],
            encrypted_data_key=response["CiphertextBlob"],
            nonce=os.urandom(NONCE_BYTES),
            ciphertext=b"",
            context=context,
        )
        ciphertext = aesgcm(data_key).encrypt(shell.nonce, plaintext, shell.header())
        del data_key  # the plaintext key lives only for this call
        return replace(shell, ciphertext=ciphertext)

    def decrypt(self, envelope: Envelope | bytes) -> bytes:
        """The plaintext, or :class:`TamperDetected` when any part was altered."""
        from cryptography.exceptions import InvalidTag

        if isinstance(envelope, bytes):
            envelope = Envelope.from_bytes(envelope)
        if envelope.algorithm != ALGORITHM:
            raise InvalidArgument(
                f"unsupported envelope algorithm {envelope.algorithm!r}; expected {ALGORITHM}"
            )
        aesgcm = _aesgcm()
        try:
            with aws_errors("security.decrypt_data_key"):
                response = self.kms.decrypt(
                    CiphertextBlob=envelope.encrypted_data_key,
                    EncryptionContext=dict(envelope.context),
                    KeyId=envelope.key_id,
                )
        except InvalidArgument as exc:
            code = exc.code
            if code in ("InvalidCiphertextException", "IncorrectKeyException"):
                raise TamperDetected(
                    f"KMS refused the encrypted data key ({code}): the key blob or the encryption context "
                    "was altered, or it belongs to another KMS key"
                ) from exc
            raise
        try:
            return bytes(
                aesgcm(response["Plaintext"]).decrypt(envelope.nonce, envelope.ciphertext, envelope.header())
            )
        except InvalidTag as exc:
            raise TamperDetected(
                "AES-GCM authentication failed: the ciphertext or its header was altered"
            ) from exc

    def put_object(self, storage: Any, bucket: str, key: str, data: bytes, **context: str) -> Envelope:
        """Encrypt ``data`` and store the envelope (encrypted key beside ciphertext) as one object."""
        envelope = self.encrypt(data, context={"bucket": bucket, "key": key, **context})
        storage.put_object(bucket, key, envelope.to_bytes(), content_type="application/octet-stream")
        return envelope

    def get_object(self, storage: Any, bucket: str, key: str) -> bytes:
        """Read and decrypt an object written by :meth:`put_object`; a moved copy fails the context check."""
        envelope = Envelope.from_bytes(storage.get_object(bucket, key))
        if envelope.context.get("bucket") != bucket or envelope.context.get("key") != key:
            raise TamperDetected(
                f"s3://{bucket}/{key} holds an envelope encrypted for "
                f"s3://{envelope.context.get('bucket')}/{envelope.context.get('key')}: it was copied or moved"
            )
        return self.decrypt(envelope)


def _aesgcm() -> Any:
    try:
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    except ImportError as exc:
        raise MissingDependency(
            "envelope encryption needs the cryptography package: pip install cryptography",
            provider="aws",
            cause=exc,
        ) from exc
    return AESGCM
