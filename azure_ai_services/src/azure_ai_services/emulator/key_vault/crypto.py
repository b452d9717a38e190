"""Key material and the operations Key Vault performs with it (RSA and EC, with ``cryptography``)."""

from __future__ import annotations

import base64
from typing import Any

from multi_cloud.emulation.protocols.azure.errors import AzureError

RSA_SIZES = (2048, 3072, 4096)
CURVES = {"P-256": "SECP256R1", "P-384": "SECP384R1", "P-521": "SECP521R1", "P-256K": "SECP256K1"}
RSA_OPS = ["encrypt", "decrypt", "sign", "verify", "wrapKey", "unwrapKey"]
EC_OPS = ["sign", "verify"]
SIGN_HASHES = {"256": "SHA256", "384": "SHA384", "512": "SHA512", "256K": "SHA256"}


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def from_b64url(text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except ValueError as exc:
        raise bad(f"value is not base64url: {exc}") from exc


def bad(message: str) -> AzureError:
    return AzureError(400, "BadParameter", message)


def _int_bytes(number: int) -> bytes:
    return number.to_bytes((number.bit_length() + 7) // 8, "big")


def generate(kty: str, key_size: int | None, curve: str | None) -> Any:
    """A new private key for ``kty`` (RSA, RSA-HSM, EC, EC-HSM); 400 for what Key Vault refuses."""
    from cryptography.hazmat.primitives.asymmetric import ec, rsa

    family = kty.removesuffix("-HSM")
    if family == "RSA":
        size = key_size or 2048
        if size not in RSA_SIZES:
            raise bad(f"Invalid key size {size}: RSA keys are {', '.join(map(str, RSA_SIZES))} bits.")
        return rsa.generate_private_key(public_exponent=65537, key_size=size)
    if family == "EC":
        name = curve or "P-256"
        if name not in CURVES:
            raise bad(f"Invalid curve {name!r}: use one of {', '.join(CURVES)}.")
        return ec.generate_private_key(getattr(ec, CURVES[name])())
    raise bad(f"Invalid key type {kty!r}: the local vault creates RSA, RSA-HSM, EC and EC-HSM keys.")


def public_jwk(private: Any, kid: str, kty: str, key_ops: list[str]) -> dict[str, Any]:
    """The JSON Web Key Key Vault returns: public components only."""
    from cryptography.hazmat.primitives.asymmetric import rsa

    public = private.public_key()
    jwk: dict[str, Any] = {"kid": kid, "kty": kty, "key_ops": key_ops}
    if isinstance(private, rsa.RSAPrivateKey):
        numbers = public.public_numbers()
        jwk.update(n=b64url(_int_bytes(numbers.n)), e=b64url(_int_bytes(numbers.e)))
    else:
        numbers = public.public_numbers()
        size = (private.curve.key_size + 7) // 8
        curve = next(name for name, attr in CURVES.items() if attr == type(private.curve).__name__)
        jwk.update(
            crv=curve, x=b64url(numbers.x.to_bytes(size, "big")), y=b64url(numbers.y.to_bytes(size, "big"))
        )
    return jwk


def operate(private: Any, operation: str, algorithm: str, value: bytes, signature: bytes = b"") -> Any:
    """Run ``operation`` (``encrypt``, ``decrypt``, ``wrapkey``, ``unwrapkey``, ``sign``, ``verify``)."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric import ec, rsa, utils

    op = operation.lower()
    if op in ("encrypt", "wrapkey", "decrypt", "unwrapkey"):
        if not isinstance(private, rsa.RSAPrivateKey):
            raise bad(f"Operation {operation} is not supported by an EC key.")
        pad = _rsa_encryption_padding(algorithm)
        try:
            if op in ("encrypt", "wrapkey"):
                return private.public_key().encrypt(value, pad)
            return private.decrypt(value, pad)
        except ValueError as exc:
            raise bad(f"{operation} failed: {exc}") from exc
    if op not in ("sign", "verify"):
        raise bad(f"Unknown key operation {operation!r}.")
    hashes = _hash_for(algorithm)
    prehashed = utils.Prehashed(hashes)
    if isinstance(private, rsa.RSAPrivateKey):
        if not algorithm.startswith(("RS", "PS")):
            raise bad(f"Algorithm {algorithm} is not an RSA signature algorithm (RS256, PS256, ...).")
        pad = _rsa_signature_padding(algorithm, hashes)
        if op == "sign":
            return private.sign(value, pad, prehashed)
        try:
            private.public_key().verify(signature, value, pad, prehashed)
        except InvalidSignature:
            return False
        return True
    if not algorithm.startswith("ES"):
        raise bad(f"Algorithm {algorithm} is not an EC signature algorithm (ES256, ES384, ...).")
    from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature

    size = (private.curve.key_size + 7) // 8
    if op == "sign":
        r, s = decode_dss_signature(private.sign(value, ec.ECDSA(prehashed)))
        return r.to_bytes(size, "big") + s.to_bytes(size, "big")
    der = encode_dss_signature(
        int.from_bytes(signature[:size], "big"), int.from_bytes(signature[size:], "big")
    )
    try:
        private.public_key().verify(der, value, ec.ECDSA(prehashed))
    except InvalidSignature:
        return False
    return True


def _hash_for(algorithm: str) -> Any:
    from cryptography.hazmat.primitives import hashes

    suffix = algorithm[2:]
    if suffix not in SIGN_HASHES:
        raise bad(f"Unknown signature algorithm {algorithm!r}.")
    return getattr(hashes, SIGN_HASHES[suffix])()


def _rsa_encryption_padding(algorithm: str) -> Any:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    if algorithm == "RSA-OAEP":
        return padding.OAEP(mgf=padding.MGF1(hashes.SHA1()), algorithm=hashes.SHA1(), label=None)  # noqa: S303
    if algorithm == "RSA-OAEP-256":
        return padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None)
    if algorithm == "RSA1_5":
        return padding.PKCS1v15()
    raise bad(f"Unknown encryption algorithm {algorithm!r}: use RSA-OAEP, RSA-OAEP-256 or RSA1_5.")


def _rsa_signature_padding(algorithm: str, hashes: Any) -> Any:
    from cryptography.hazmat.primitives.asymmetric import padding

    if algorithm.startswith("PS"):
        return padding.PSS(mgf=padding.MGF1(hashes), salt_length=hashes.digest_size)
    return padding.PKCS1v15()
