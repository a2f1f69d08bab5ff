"""The API's JSON bodies as typed dataclasses (Sources/UnlearnServer/openapi.json has the schemas)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

#: The statuses after which a deletion request no longer changes.
FINAL_STATUSES = frozenset({"done", "failed", "rejected"})


@dataclass(frozen=True)
class Receipt:
    """What a done request leaves as proof: the decision and why, the model versions before and
    after, when, and the hash of the audit entry that records it."""

    request_id: str
    model: str
    decision: str
    reason: str
    version_before: int
    version_after: int
    finished_at: str
    audit_entry_hash: str
    feature_scaling: Optional[str] = None
    #: The signed document (`{"document", "signature", "key_id"}`) for `verify_receipt`, when the
    #: service signs its receipts.
    signed: Optional[Dict[str, Any]] = None

    @classmethod
    def from_json(cls, body: Dict[str, Any]) -> "Receipt":
        return cls(
            request_id=body["request_id"],
            model=body["model"],
            decision=body["decision"],
            reason=body["reason"],
            version_before=body["version_before"],
            version_after=body["version_after"],
            finished_at=body["finished_at"],
            audit_entry_hash=body["audit_entry_hash"],
            feature_scaling=body.get("feature_scaling"),
            signed=body.get("signed"),
        )


@dataclass(frozen=True)
class DeletionRequest:
    """A deletion request as the store records it. The ids it named are never returned, only their
    count; `report` is the method's forget report (a dict) once the request has run."""

    id: str
    status: str
    model: Optional[str] = None
    request_id: Optional[str] = None
    id_count: Optional[int] = None
    requester: Optional[str] = None
    received_at: Optional[str] = None
    started_at: Optional[str] = None
    finished_at: Optional[str] = None
    report: Optional[Dict[str, Any]] = None
    receipt: Optional[Receipt] = None
    error: Optional[str] = None

    @property
    def is_final(self) -> bool:
        """Whether the request has ended (done, failed or rejected)."""
        return self.status in FINAL_STATUSES

    @classmethod
    def from_json(cls, body: Dict[str, Any]) -> "DeletionRequest":
        receipt = body.get("receipt")
        return cls(
            id=body["id"],
            status=body["status"],
            model=body.get("model"),
            request_id=body.get("request_id"),
            id_count=body.get("id_count"),
            requester=body.get("requester"),
            received_at=body.get("received_at"),
            started_at=body.get("started_at"),
            finished_at=body.get("finished_at"),
            report=body.get("report"),
            receipt=Receipt.from_json(receipt) if receipt else None,
            error=body.get("error"),
        )


@dataclass(frozen=True)
class Model:
    """A model in the store: its version (it grows with every change of the parameters), whether it
    is still exactly a model trained without the erased samples, and the last deletion's figures."""

    name: str
    strategy: str
    version: int
    exact: bool
    remaining_samples: int
    pending_requests: int
    last_figures: Dict[str, float] = field(default_factory=dict)

    @classmethod
    def from_json(cls, body: Dict[str, Any]) -> "Model":
        return cls(
            name=body["name"],
            strategy=body["strategy"],
            version=body["version"],
            exact=body["exact"],
            remaining_samples=body["remaining_samples"],
            pending_requests=body["pending_requests"],
            last_figures=dict(body.get("last_figures") or {}),
        )


@dataclass(frozen=True)
class AuditEntry:
    """One entry of the hash-chained audit log. `details` is a JSON object (as text) of counts,
    versions, decisions and salted hashes of ids: never raw ids or features."""

    seq: int
    at: str
    event: str
    details: str
    previous_hash: str
    hash: str
    model: Optional[str] = None
    request_id: Optional[str] = None

    @classmethod
    def from_json(cls, body: Dict[str, Any]) -> "AuditEntry":
        return cls(
            seq=body["seq"],
            at=body["at"],
            event=body["event"],
            details=body["details"],
            previous_hash=body["previous_hash"],
            hash=body["hash"],
            model=body.get("model"),
            request_id=body.get("request_id"),
        )


@dataclass(frozen=True)
class Prediction:
    """Labels and class probabilities from a model's current version."""

    model: str
    version: int
    labels: List[str]
    probabilities: List[List[float]]

    @classmethod
    def from_json(cls, body: Dict[str, Any]) -> "Prediction":
        return cls(
            model=body["model"], version=body["version"], labels=list(body["labels"]),
            probabilities=[list(row) for row in body["probabilities"]],
        )
