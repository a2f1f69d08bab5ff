"""Offline checks of signed deletion receipts: no server, no store, only the service's public key
(`unlearn store public-key`, or `UnlearnClient.signing_keys()`). Needs the `cryptography` package
(`pip install './clients/python[verify]'`)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any, Dict, Iterable, Mapping


class ReceiptError(Exception):
    """A receipt that does not verify, or does not cover an id it was asked about."""


def verify_receipt(receipt: Mapping[str, Any], public_key: str, ids: Iterable[str] = ()) -> Dict[str, Any]:
    """Checks `receipt` and returns its document's fields.

    `receipt` is the signed receipt (`{"document", "signature", "key_id"}`), a receipt holding it
    under "signed", or a deletion request holding that under "receipt". `public_key` is the
    service's Ed25519 key in hexadecimal. Raises `ReceiptError` when the signature is not that
    key's over the document, or when one of `ids` is not among the ids the receipt covers (its
    keyed hashes HMAC-SHA256(id_salt, id)). A valid receipt proves the service stated this erasure
    at this point of its audit chain; the report's figures are the evidence about the model.
    """
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    signed = _signed(receipt)
    key_bytes = bytes.fromhex(public_key.strip())
    if hashlib.sha256(key_bytes).hexdigest()[:16] != signed["key_id"]:
        raise ReceiptError(f"the receipt names key {signed['key_id']}, not this one")
    try:
        Ed25519PublicKey.from_public_bytes(key_bytes).verify(
            base64.b64decode(signed["signature"]), signed["document"].encode("utf-8"))
    except InvalidSignature as error:
        raise ReceiptError("the signature is not this key's over the receipt's document") from error
    fields = json.loads(signed["document"])
    salt = bytes.fromhex(fields["id_salt"])
    uncovered = [
        sample for sample in ids
        if hmac.new(salt, str(sample).encode("utf-8"), hashlib.sha256).hexdigest() not in fields["id_hashes"]
    ]
    if uncovered:
        raise ReceiptError(f"not covered by this receipt: {', '.join(uncovered)}")
    return fields


def _signed(receipt: Mapping[str, Any]) -> Mapping[str, Any]:
    for candidate in (receipt, receipt.get("signed"), (receipt.get("receipt") or {}).get("signed")):
        if isinstance(candidate, Mapping) and "document" in candidate:
            return candidate
    raise ReceiptError("no signed receipt: expected {document, signature, key_id}, under 'signed' or 'receipt'")
