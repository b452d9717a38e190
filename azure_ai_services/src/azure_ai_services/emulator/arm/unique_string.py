"""ARM's ``uniqueString()``: Microsoft's 64-bit MurmurHash variant of the '-'-joined UTF-8 inputs, base32."""

from __future__ import annotations

MASK = 0xFFFFFFFF
ALPHABET = "abcdefghijklmnopqrstuvwxyz234567"
C1, C2 = 0x239B961B, 0xAB0E9789


def _rotl(value: int, bits: int) -> int:
    return ((value << bits) | (value >> (32 - bits))) & MASK


def _fmix(h: int) -> int:
    h ^= h >> 16
    h = (h * 0x85EBCA6B) & MASK
    h ^= h >> 13
    h = (h * 0xC2B2AE35) & MASK
    return h ^ (h >> 16)


def _word(data: bytes) -> int:
    return int.from_bytes(data, "little")


def murmur64(data: bytes, seed: int = 0) -> int:
    """The hash of ``Microsoft.PowerPlatform.ResourceStack`` (two 32-bit lanes, as ARM computes it)."""
    h1 = h2 = seed
    index, length = 0, len(data)
    while index + 7 < length:
        k1 = (_word(data[index : index + 4]) * C1) & MASK
        h1 ^= (_rotl(k1, 15) * C2) & MASK
        h1 = (((_rotl(h1, 19) + h2) & MASK) * 5 + 0x561CCD1B) & MASK
        k2 = (_word(data[index + 4 : index + 8]) * C2) & MASK
        h2 ^= (_rotl(k2, 17) * C1) & MASK
        h2 = (((_rotl(h2, 13) + h1) & MASK) * 5 + 0x0BCAA747) & MASK
        index += 8
    tail = length - index
    if tail > 0:
        k1 = (_word(data[index : index + min(tail, 4)]) * C1) & MASK
        h1 ^= (_rotl(k1, 15) * C2) & MASK
        if tail > 4:
            k2 = (_word(data[index + 4 : index + tail]) * C2) & MASK
            h2 ^= (_rotl(k2, 17) * C1) & MASK
    h1 ^= length
    h2 ^= length
    h1 = (h1 + h2) & MASK
    h2 = (h2 + h1) & MASK
    h1, h2 = _fmix(h1), _fmix(h2)
    h1 = (h1 + h2) & MASK
    h2 = (h2 + h1) & MASK
    return (h2 << 32) | h1


def unique_string(*values: str) -> str:
    """13 characters of ``[a-z2-7]``: the hash's bits five at a time, highest first."""
    hashed = murmur64("-".join(values).encode("utf-8"))
    letters = []
    for _ in range(13):
        letters.append(ALPHABET[hashed >> 59])
        hashed = (hashed << 5) & 0xFFFFFFFFFFFFFFFF
    return "".join(letters)
