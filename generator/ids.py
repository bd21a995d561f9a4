"""Unique, random-looking identifiers that every worker can produce without talking to the others.

An id is a keyed permutation of a counter: each chunk of people owns a disjoint counter range, so ids are
unique across chunks by construction, yet consecutive ids (the records of one person) look unrelated
and reveal nothing about who or which chunk they belong to.
"""

from __future__ import annotations

import hashlib


class Permutation:
    """A keyed bijection of ``range(size)``: distinct inputs give distinct, random-looking outputs.

    A keyed xorshift-multiply mixer (each step is invertible on ``bits``-bit integers) over the
    smallest bit width covering ``size``, with cycle walking to stay inside the range.

    Example:
        >>> p = Permutation("demo", 1000)
        >>> sorted(p(i) for i in range(1000)) == list(range(1000))
        True
    """

    def __init__(self, key: str, size: int) -> None:
        if size < 2:
            raise ValueError(f"A permutation needs a range of at least 2 values, got {size}")
        bits = max(8, (size - 1).bit_length())
        self.size = size
        self._mask = (1 << bits) - 1
        self._shift = max(1, bits // 2)
        digest = hashlib.blake2b(key.encode("utf-8"), digest_size=32).digest()
        words = [int.from_bytes(digest[i * 8 : (i + 1) * 8], "big") for i in range(4)]
        self._add = words[0] & self._mask
        self._xor = words[1] & self._mask
        self._mul1 = (words[2] | 1) & self._mask or 1
        self._mul2 = (words[3] | 1) & self._mask or 1

    def __call__(self, value: int) -> int:
        """The image of ``value`` (which must lie in ``range(size)``)."""
        if not 0 <= value < self.size:
            raise ValueError(f"{value} is outside the permutation range 0..{self.size - 1}")
        mask, shift = self._mask, self._shift
        x = value
        while True:
            x = ((x + self._add) & mask) ^ self._xor
            x ^= x >> shift
            x = (x * self._mul1) & mask
            x ^= x >> shift
            x = (x * self._mul2) & mask
            x ^= x >> shift
            if x < self.size:
                return x


class IdSequence:
    """Ids of one kind (``C`` + 9 digits, ...) handed out by one chunk.

    Chunk ``c`` owns counters ``c * per_chunk .. (c + 1) * per_chunk - 1``; running out is a bug in the
    caller's sizing and fails loudly rather than risking a collision.
    """

    def __init__(self, seed: int, kind: str, chunk: int, per_chunk: int, digits: int, prefix: str) -> None:
        self._perm = Permutation(f"{seed}:{kind}", 10**digits)
        if (chunk + 1) * per_chunk > self._perm.size:
            raise ValueError(f"Id space {kind!r} is too small for chunk {chunk}")
        self._kind = kind
        self._base = chunk * per_chunk
        self._limit = per_chunk
        self._used = 0
        self._digits = digits
        self._prefix = prefix

    def number(self) -> int:
        """The next id as a number."""
        if self._used >= self._limit:
            raise RuntimeError(f"Chunk ran out of {self._kind} ids ({self._limit}); raise its allowance")
        value = self._perm(self._base + self._used)
        self._used += 1
        return value

    def next(self) -> str:
        """The next id as text: prefix and zero-padded digits."""
        return f"{self._prefix}{self.number():0{self._digits}d}"


def luhn_digit(digits: str) -> str:
    """The Luhn check digit that makes ``digits + check`` a valid card number.

    Example:
        >>> luhn_digit("7992739871")
        '3'
    """
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 0:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return str((10 - total % 10) % 10)
