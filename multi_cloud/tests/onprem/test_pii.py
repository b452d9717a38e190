"""PII detection: each type's formats, the validators that reject look-alikes, offsets and overlaps."""

from __future__ import annotations

import pytest
from multi_cloud.onprem.engines.pii import PII_TYPES, find_pii, luhn_valid


def kinds(text: str) -> list[tuple[str, str]]:
    return [(e.type, e.text) for e in find_pii(text)]


def test_types_are_named_like_comprehend() -> None:
    assert set(PII_TYPES) == {"EMAIL", "CREDIT_DEBIT_NUMBER", "SSN", "IP_ADDRESS", "PHONE"}


@pytest.mark.parametrize(
    ("number", "valid"),
    [
        ("4111111111111111", True),
        ("4111111111111112", False),
        ("378282246310005", True),
        ("79927398713", True),
    ],
)
def test_luhn(number: str, valid: bool) -> None:
    assert luhn_valid(number) is valid


@pytest.mark.parametrize(
    "card",
    [
        "4111111111111111",
        "4111 1111 1111 1111",
        "4111-1111-1111-1111",
        "3782 822463 10005",
        "5555555555554444",
    ],
)
def test_card_formats(card: str) -> None:
    assert kinds(f"Paid with {card} yesterday.") == [("CREDIT_DEBIT_NUMBER", card)]


@pytest.mark.parametrize(
    "lookalike",
    ["4111111111111112", "4111 1111 1111 1112", "4111-1111 1111-1111", "1111111111111117", "41111111111"],
)
def test_card_lookalikes_are_not_cards(lookalike: str) -> None:
    assert all(kind != "CREDIT_DEBIT_NUMBER" for kind, _ in kinds(f"Order {lookalike} shipped."))


@pytest.mark.parametrize(
    "phone",
    ["(555) 123-4567", "555-123-4567", "555.123.4567", "1-800-555-1234", "+1 555 123 4567",
     "+44 20 7946 0958", "+33 1 23 45 67 89", "+49-30-901820"],
)  # fmt: skip
def test_phone_formats(phone: str) -> None:
    assert kinds(f"Call {phone} now.") == [("PHONE", phone)]


@pytest.mark.parametrize("not_phone", ["2024-01-15", "12:30:45", "version 1.2.3", "+12", "555-1234"])
def test_phone_lookalikes(not_phone: str) -> None:
    assert all(kind != "PHONE" for kind, _ in kinds(f"See {not_phone} here."))


@pytest.mark.parametrize(
    "address", ["192.168.0.1", "8.8.8.8", "2001:db8::1", "::1", "fe80::1ff:fe23:4567:890a",
                "::ffff:192.0.2.1", "2001:0db8:85a3:0000:0000:8a2e:0370:7334"],
)  # fmt: skip
def test_ip_addresses(address: str) -> None:
    assert kinds(f"Host {address} is up.") == [("IP_ADDRESS", address)]


@pytest.mark.parametrize(
    "not_ip", ["256.1.1.1", "999.10.10.10", "1.2.3", "00:1A:2B:3C:4D:5E", "12:30:45", "1.2.3.4.5"]
)
def test_ip_lookalikes(not_ip: str) -> None:
    assert all(kind != "IP_ADDRESS" for kind, _ in kinds(f"Value {not_ip} logged."))


def test_ip_at_sentence_end() -> None:
    assert kinds("The gateway is 10.0.0.1.") == [("IP_ADDRESS", "10.0.0.1")]


def test_emails() -> None:
    text = "Write to first.last+tag@mail.example.co.uk, or admin@localhost (no TLD), or x@y.io."
    assert kinds(text) == [("EMAIL", "first.last+tag@mail.example.co.uk"), ("EMAIL", "x@y.io")]


@pytest.mark.parametrize(
    ("ssn", "found"),
    [("123-45-6789", True), ("000-12-3456", False), ("666-12-3456", False), ("912-12-3456", False),
     ("123-00-4567", False), ("123-45-0000", False)],
)  # fmt: skip
def test_ssn_rules(ssn: str, found: bool) -> None:
    assert (("SSN", ssn) in kinds(f"SSN {ssn} on file")) is found


def test_offsets_are_code_points_and_sorted() -> None:
    text = "Café ☕ owner: zoë@example.com, card 4111 1111 1111 1111, ip 10.1.2.3"
    found = find_pii(text)
    assert [e.type for e in found] == ["EMAIL", "CREDIT_DEBIT_NUMBER", "IP_ADDRESS"]
    for entity in found:
        assert text[entity.begin : entity.end] == entity.text
    assert found[0].begin == text.index("zoë")


def test_overlaps_resolve_to_the_stronger_type() -> None:
    found = find_pii("Card: 4111-1111-1111-1111")
    assert [(e.type, e.score) for e in found] == [("CREDIT_DEBIT_NUMBER", 1.0)]


def test_text_without_pii() -> None:
    assert find_pii("The quarterly report is due on the 15th; 42 people attended.") == []


def test_phone_in_parentheses_excludes_the_closing_parenthesis():
    from multi_cloud.onprem.engines.pii import find_pii

    text = "Call the desk (office, +1 206 555 0100) today"
    phones = [e for e in find_pii(text) if e.type == "PHONE"]
    assert [p.text for p in phones] == ["+1 206 555 0100"]
    assert text[phones[0].begin : phones[0].end] == "+1 206 555 0100"
