"""The client: one method per API operation, typed answers, one exception type for every error."""

from __future__ import annotations

import time
import uuid
from typing import Any, Dict, Iterator, List, Optional, Sequence

import httpx

from .models import AuditEntry, DeletionRequest, Model, Prediction


class UnlearnError(Exception):
    """An answer that is not a success: `status` is the HTTP status (0 when the server could not
    be reached) and `message` the server's `{"error": {"message": ...}}` text."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"HTTP {status}: {message}" if status else message)
        self.status = status
        self.message = message


class UnlearnClient:
    """A client for `unlearn serve`.

    >>> c = UnlearnClient("http://127.0.0.1:8080", token="secret")
    >>> r = c.submit_deletion("bc", ["12"], request_id="erase-42")
    >>> r = c.wait(r.id, timeout=120)

    Every `/v1` call sends `Authorization: Bearer <token>`. Submissions are retried on connection
    failures and 503 answers with the same `request_id`, which the API makes safe: a request id
    already recorded for the same ids answers with that request instead of erasing twice.
    """

    def __init__(
        self, base_url: str, token: str, *, timeout: float = 30.0, retries: int = 3,
        transport: Optional[httpx.BaseTransport] = None,
    ) -> None:
        self._http = httpx.Client(
            base_url=base_url.rstrip("/"), timeout=timeout, transport=transport,
            headers={"Authorization": f"Bearer {token}"},
        )
        self._retries = retries

    def close(self) -> None:
        """Closes the connection pool."""
        self._http.close()

    def __enter__(self) -> "UnlearnClient":
        return self

    def __exit__(self, *exception: Any) -> None:
        self.close()

    # Deletions

    def submit_deletion(
        self, model: str, ids: Sequence[str], *, request_id: Optional[str] = None,
    ) -> DeletionRequest:
        """Asks for the samples `ids` to be erased from `model` and returns the recorded request
        (status `queued` at first; `wait` follows it to the end).

        `request_id` is your idempotency key (a random one is made when you give none): sending
        the same key and ids again, after a timeout for example, returns the same request. A key
        already used for other ids raises `UnlearnError` with status 409; ids the model does not
        hold raise 422.
        """
        key = request_id if request_id is not None else f"client-{uuid.uuid4()}"
        body = {"ids": [str(sample) for sample in ids], "request_id": key}
        accepted = self._call("POST", f"/v1/models/{_segment(model)}/deletions", json=body, retry=True)
        return self.get_deletion(accepted["id"])

    def get_deletion(self, request_id: str) -> DeletionRequest:
        """The request with the store's id `request_id` (what `submit_deletion` returned as `.id`)."""
        return DeletionRequest.from_json(self._call("GET", f"/v1/deletions/{_segment(request_id)}"))

    def wait(self, request_id: str, *, timeout: float = 120.0, interval: float = 0.2) -> DeletionRequest:
        """Polls the request until it is done, failed or rejected, and returns it; raises
        `TimeoutError` if it has not ended after `timeout` seconds (it keeps running)."""
        deadline = time.monotonic() + timeout
        delay = interval
        while True:
            request = self.get_deletion(request_id)
            if request.is_final:
                return request
            if time.monotonic() + delay > deadline:
                raise TimeoutError(f"deletion request {request_id} is still {request.status} after {timeout} s")
            time.sleep(delay)
            delay = min(delay * 1.5, 2.0)

    # Models

    def get_model(self, model: str) -> Model:
        """The model's version, exactness, remaining samples and last deletion's figures."""
        return Model.from_json(self._call("GET", f"/v1/models/{_segment(model)}"))

    def predict(self, model: str, rows: Sequence[Sequence[float]]) -> List[List[float]]:
        """Class probabilities for each row of raw features (as in the training data), from the
        model's current version: one list of probabilities per row."""
        return self.predict_with_labels(model, rows).probabilities

    def predict_with_labels(self, model: str, rows: Sequence[Sequence[float]]) -> Prediction:
        """As `predict`, with the predicted labels and the model version that answered."""
        body = {"features": [[float(value) for value in row] for row in rows]}
        return Prediction.from_json(self._call("POST", f"/v1/models/{_segment(model)}/predict", json=body))

    # Audit log and service

    def audit(self, *, after: int = 0, limit: int = 100) -> Iterator[AuditEntry]:
        """Every audit entry with a sequence number above `after`, in order, fetched `limit`
        (1 to 1000) at a time."""
        page = max(1, min(limit, 1000))
        while True:
            entries = self._call("GET", "/v1/audit", params={"after": after, "limit": page})
            for entry in entries:
                yield AuditEntry.from_json(entry)
            if len(entries) < page:
                return
            after = entries[-1]["seq"]

    def signing_keys(self) -> List[Dict[str, str]]:
        """The Ed25519 public keys receipts are signed with: `{"algorithm", "key_id", "public_key"}`."""
        return self._call("GET", "/v1/keys")["keys"]

    def health(self) -> Dict[str, Any]:
        """`/healthz`: `{"status": "ok"}`, or `"degraded"` with the reason."""
        return self._call("GET", "/healthz")

    def openapi(self) -> Dict[str, Any]:
        """The server's OpenAPI document."""
        return self._call("GET", "/openapi.json")

    # Transport

    def _call(self, method: str, path: str, *, retry: bool = False, **arguments: Any) -> Any:
        attempts = self._retries + 1 if retry else 1
        for attempt in range(attempts):
            last = attempt == attempts - 1
            try:
                response = self._http.request(method, path, **arguments)
            except httpx.TransportError as error:
                if last:
                    raise UnlearnError(0, f"cannot reach {self._http.base_url}: {error}") from error
                time.sleep(0.5 * 2**attempt)
                continue
            if response.status_code == 503 and not last:
                time.sleep(0.5 * 2**attempt)
                continue
            if response.is_success:
                return response.json()
            raise UnlearnError(response.status_code, _message(response))
        raise AssertionError("unreachable")


def _message(response: httpx.Response) -> str:
    try:
        return str(response.json()["error"]["message"])
    except (ValueError, KeyError, TypeError):
        return response.text or response.reason_phrase


def _segment(value: str) -> str:
    """A path segment with everything but unreserved characters percent-encoded."""
    from urllib.parse import quote

    return quote(value, safe="")
