"""Typed values at the boundary: :class:`TimeSignature` and :class:`Key`, parsed once.

Both are ``str`` subclasses, so they print, compare, hash and serialise exactly as the text
they were made from (``"6/8"``, ``"G major"``): outputs and callers that hold plain strings
are unchanged. User input is validated by :func:`transcribe.config.parse_time_signature` and
:func:`transcribe.config.parse_key`, which return these. No numpy here: the CLI imports it.
"""

from __future__ import annotations

from fractions import Fraction


class TimeSignature(str):
    """A time signature such as ``"6/8"``, parsed once.

    It is a ``str`` (it prints, compares, hashes and serialises as its text, ``"6/8"``), with
    its parts and lengths as attributes. Build one from ``"N/D"`` text; user input is
    validated first by :func:`transcribe.config.parse_time_signature`.

    Attributes:
        numerator: Beats (or beat divisions, in a compound meter) a bar: 6 in 6/8.
        denominator: The note value counted: 8 in 6/8.
    """

    numerator: int
    denominator: int

    def __new__(cls, text: str) -> TimeSignature:
        if isinstance(text, TimeSignature):
            return text
        num, den = (int(x) for x in str(text).split("/"))
        self = super().__new__(cls, f"{num}/{den}")
        self.numerator, self.denominator = num, den
        return self

    @property
    def is_compound(self) -> bool:
        """Whether its beat is a dotted quarter (6/8, 9/8, 12/8)."""
        return self.denominator == 8 and self.numerator % 3 == 0

    @property
    def measure_q(self) -> Fraction:
        """Length of one bar in quarter notes."""
        return Fraction(4 * self.numerator, self.denominator)

    @property
    def beat_q(self) -> Fraction:
        """Length of one beat in quarter notes: a dotted quarter in compound meters, else the counted value."""
        return Fraction(3, 2) if self.is_compound else Fraction(4, self.denominator)


class Key(str):
    """A key such as ``"G major"`` or ``"F# minor"``, parsed once.

    It is a ``str`` (it prints, compares and serialises as its text), with its parts as
    attributes. User input is validated and normalised by :func:`transcribe.config.parse_key`.

    Attributes:
        tonic: The tonic's letter and accidental, e.g. ``"F#"``, ``"Bb"``.
        mode: ``"major"`` or ``"minor"``.
    """

    tonic: str
    mode: str

    def __new__(cls, text: str) -> Key:
        if isinstance(text, Key):
            return text
        tonic, mode = str(text).split()
        self = super().__new__(cls, f"{tonic} {mode}")
        self.tonic, self.mode = tonic, mode
        return self

    @property
    def is_minor(self) -> bool:
        """Whether it is a minor key."""
        return self.mode == "minor"
