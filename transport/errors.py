"""Typed errors of the transport rules (same base and style as :mod:`routing.errors`)."""

from __future__ import annotations

from routing.errors import ZiekenvervoerError


class TransportError(ZiekenvervoerError):
    """Base class of errors raised by the transport rules."""

    code = "TransportError"


class ParameterNotFound(TransportError):
    """No parameter file of that name exists."""

    code = "ParameterNotFound"


class ParameterNotInForce(TransportError):
    """A parameter has no value in force on the asked date (for example a future year).

    The value is never taken from another year: pass it explicitly to override.
    """

    code = "ParameterNotInForce"


class InvalidInput(TransportError):
    """An input to a rule is malformed or out of range."""

    code = "InvalidInput"
