"""The result every rule returns: an outcome, the reasons for it, and what it rests on.

Rules never return a bare boolean. A :class:`Decision` says which rule decided, whether the case
passes it, why (each :class:`Reason` with a stable code, a Dutch/English text and its legal or
policy source), and which parameter values (with their own dates and sources) were used. The
CLI, the web page and the notebooks only present decisions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Reason:
    """One reason behind a decision.

    Attributes
    ----------
    code : str
        Stable machine-readable code, e.g. ``"HARDSHIP_BELOW_THRESHOLD"``.
    text : str
        Human explanation, with the numbers that decided the case. No personal data.
    source : str, optional
        Legal or policy reference the reason rests on (``"Bzv art. 2.14 lid 3"``).
    vektis : str, optional
        Matching Vektis return code (COD954), where one fits (``"0551"``).
    """

    code: str
    text: str
    source: str | None = None
    vektis: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {"code": self.code, "text": self.text, "source": self.source, "vektis": self.vektis}


@dataclass(frozen=True)
class UsedParameter:
    """A parameter value a decision used, with the date it was looked up for and its origin.

    Attributes
    ----------
    name : str
        Parameter name (file name in ``data/parameters`` without extension).
    value : Any
        The value used.
    on : str
        ISO date the value was looked up for.
    since : str, optional
        ISO date the value took effect (``None`` when the user passed the value).
    source : str
        Reference of the value, or ``"user override"``.
    """

    name: str
    value: Any
    on: str
    since: str | None
    source: str

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {
            "name": self.name,
            "value": self.value,
            "on": self.on,
            "since": self.since,
            "source": self.source,
        }


@dataclass(frozen=True)
class Decision:
    """The outcome of one rule for one case.

    Attributes
    ----------
    rule : str
        Which rule decided (``"hardship"``, ``"authorisation"``, ``"companion"``, ...).
    ok : bool
        Whether the case passes the rule (eligible, reimbursable, complete, ...).
    reasons : tuple of Reason
        Why; at least one.
    parameters : tuple of UsedParameter
        Parameter values the rule used.
    details : dict
        Rule-specific numbers (for example the hardheidsclausule score and its margin).
    """

    rule: str
    ok: bool
    reasons: tuple[Reason, ...]
    parameters: tuple[UsedParameter, ...] = ()
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def codes(self) -> tuple[str, ...]:
        """The reason codes, in order."""
        return tuple(r.code for r in self.reasons)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {
            "rule": self.rule,
            "ok": self.ok,
            "reasons": [r.to_dict() for r in self.reasons],
            "parameters": [p.to_dict() for p in self.parameters],
            "details": self.details,
        }
