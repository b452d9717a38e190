"""A local certificate authority for loopback HTTPS: CA + server certificate made once, and a CA bundle.

Some SDKs insist on ``https`` (Azure's bearer-token policy refuses plain http). The local cloud serves them
TLS with a server certificate for ``127.0.0.1``/``localhost``/``::1`` signed by a CA generated on this
machine (its key never leaves the state directory). The bundle is certifi's roots plus that CA, so pointing
``REQUESTS_CA_BUNDLE``/``SSL_CERT_FILE`` at it keeps real HTTPS working in the same shell.
"""

from __future__ import annotations

import datetime
import ipaddress
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from cryptography.x509 import KeyUsage

#: regenerate when the server certificate has less than this left
RENEW_BEFORE = datetime.timedelta(days=30)
VALIDITY = datetime.timedelta(days=825)


@dataclass(frozen=True)
class LocalTLS:
    """The files of one local CA: ``ca.pem``, ``server.pem`` + ``server-key.pem``, ``ca-bundle.pem``."""

    directory: Path

    @property
    def ca_cert(self) -> Path:
        return self.directory / "ca.pem"

    @property
    def server_cert(self) -> Path:
        return self.directory / "server.pem"

    @property
    def server_key(self) -> Path:
        return self.directory / "server-key.pem"

    @property
    def bundle(self) -> Path:
        return self.directory / "ca-bundle.pem"

    def complete(self) -> bool:
        return all(path.is_file() for path in (self.ca_cert, self.server_cert, self.server_key, self.bundle))


def ensure_local_tls(directory: Path) -> LocalTLS:
    """The CA and server certificate in ``directory``, generated on first use or when near expiry.

    Generation happens in a sibling temporary directory renamed into place, so parallel processes never
    see a CA that does not match its server certificate.
    """
    tls = LocalTLS(directory)
    if tls.complete() and not _expiring(tls.server_cert):
        return tls
    directory.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{directory.name}-", dir=directory.parent))
    _generate(LocalTLS(staging))
    if directory.exists() and tls.complete() and not _expiring(tls.server_cert):
        shutil.rmtree(staging, ignore_errors=True)  # another process won the race
        return tls
    shutil.rmtree(directory, ignore_errors=True)
    try:
        staging.rename(directory)
    except OSError:  # created meanwhile by another process
        shutil.rmtree(staging, ignore_errors=True)
    return tls


def _expiring(cert_path: Path) -> bool:
    from cryptography import x509

    cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
    return cert.not_valid_after_utc - datetime.datetime.now(datetime.timezone.utc) < RENEW_BEFORE


def _generate(tls: LocalTLS) -> None:
    import certifi
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=5)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name(
        [x509.NameAttribute(NameOID.COMMON_NAME, f"cloudai local CA ({os.uname().nodename})")]
    )
    ca_ski = x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key())
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + VALIDITY)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_usage(cert_sign=True), critical=True)
        .add_extension(ca_ski, critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    server_key = ec.generate_private_key(ec.SECP256R1())
    names: list[x509.GeneralName] = [
        x509.DNSName("localhost"),
        x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
        x509.IPAddress(ipaddress.ip_address("::1")),
    ]
    server_cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
        .issuer_name(ca_name)
        .public_key(server_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + VALIDITY)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_usage(cert_sign=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(server_key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    ca_pem = ca_cert.public_bytes(serialization.Encoding.PEM)
    tls.ca_cert.write_bytes(ca_pem)
    tls.server_cert.write_bytes(server_cert.public_bytes(serialization.Encoding.PEM))
    key_pem = server_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    tls.server_key.touch(mode=0o600)
    tls.server_key.write_bytes(key_pem)
    roots = Path(certifi.where()).read_bytes()
    tls.bundle.write_bytes(roots.rstrip(b"\n") + b"\n\n# cloudai local CA\n" + ca_pem)


def _usage(*, cert_sign: bool) -> KeyUsage:
    from cryptography import x509

    return x509.KeyUsage(
        digital_signature=True,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=not cert_sign,
        key_cert_sign=cert_sign,
        crl_sign=cert_sign,
        encipher_only=False,
        decipher_only=False,
    )
