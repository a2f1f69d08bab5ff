"""Signed deletion receipts checked from outside the project: Python's `cryptography` verifies the
Ed25519 signature over the receipt's document bytes with the key `unlearn store public-key` prints,
the document is the canonical JSON Python writes for it, a person's ids are found by their keyed
hashes, and `unlearn receipt verify` / `unlearn audit verify --receipt` give the same answers,
including after the audit log was cut back.
"""

import base64
import hashlib
import hmac
import json
import os
import pathlib
import sqlite3
import subprocess

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

REPOSITORY = pathlib.Path(__file__).resolve().parents[2]


def unlearn(*arguments, check=True):
    binary = os.environ.get("UNLEARN_BINARY") or str(REPOSITORY / ".build" / "release" / "unlearn")
    if not pathlib.Path(binary).is_file():
        pytest.skip(f"no unlearn binary at {binary}: run `make build` or set UNLEARN_BINARY")
    return subprocess.run(
        [binary, *arguments], capture_output=True, text=True, check=check,
        env=dict(os.environ, OPENBLAS_NUM_THREADS="1"))


def store_with_a_done_request(directory: pathlib.Path):
    store = str(directory / "store.sqlite")
    unlearn("store", "init", "--store", store)
    unlearn("train", "--data", str(REPOSITORY / "data" / "breast_cancer.csv"), "--model", "logistic",
            "--strategy", "newton", "--store", store, "--name", "bc", "--no-progress")
    unlearn("request", "submit", "--store", store, "--model", "bc", "--id", "3", "--id", "10",
            "--request-id", "erase-001")
    request = json.loads(unlearn("request", "status", "--store", store, "erase-001", "--format", "json").stdout)
    if isinstance(request, list):
        request = request[0]
    key = json.loads(unlearn("store", "public-key", "--store", store).stdout)
    return store, request, key


@pytest.fixture
def done(tmp_path):
    return store_with_a_done_request(tmp_path)


def test_the_signature_verifies_with_a_standard_ed25519_implementation(done):
    _, request, key = done
    signed = request["receipt"]["signed"]
    assert key["algorithm"] == "Ed25519" and signed["key_id"] == key["key_id"]
    public = Ed25519PublicKey.from_public_bytes(bytes.fromhex(key["public_key"]))
    document = signed["document"].encode("utf-8")
    public.verify(base64.b64decode(signed["signature"]), document)
    assert hashlib.sha256(bytes.fromhex(key["public_key"])).hexdigest()[:16] == key["key_id"]
    for index in (0, len(document) // 2, len(document) - 2):
        edited = bytearray(document)
        edited[index] ^= 0x01
        with pytest.raises(InvalidSignature):
            public.verify(base64.b64decode(signed["signature"]), bytes(edited))


def test_the_document_is_canonical_and_covers_the_ids_by_keyed_hash(done):
    _, request, _ = done
    document = request["receipt"]["signed"]["document"]
    fields = json.loads(document)
    assert json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False) == document
    assert fields["request_id"] == request["id"] and fields["model"] == "bc" and fields["id_count"] == 2
    assert fields["audit_entry_hash"] == request["receipt"]["audit_entry_hash"]
    assert fields["chain_head_seq"] >= fields["audit_seq"] and len(fields["chain_head_hash"]) == 64
    salt = bytes.fromhex(fields["id_salt"])
    keyed = lambda sample: hmac.new(salt, sample.encode(), hashlib.sha256).hexdigest()
    assert keyed("3") in fields["id_hashes"] and keyed("10") in fields["id_hashes"]
    assert keyed("4") not in fields["id_hashes"]
    assert '"3"' not in document and '"10"' not in document


def test_receipt_verify_checks_the_key_and_the_ids(done, tmp_path):
    _, request, key = done
    receipt = tmp_path / "receipt.json"
    receipt.write_text(json.dumps(request))
    assert unlearn("receipt", "verify", "--receipt", str(receipt), "--public-key", key["public_key"],
                   "--id", "3", "--id", "10").returncode == 0
    uncovered = unlearn("receipt", "verify", "--receipt", str(receipt), "--public-key", key["public_key"],
                        "--id", "3", "--id", "4", check=False)
    assert uncovered.returncode == 1 and "4" in uncovered.stderr
    (tmp_path / "other").mkdir()
    _, _, other = store_with_a_done_request(tmp_path / "other")
    foreign = unlearn("receipt", "verify", "--receipt", str(receipt), "--public-key", other["public_key"], check=False)
    assert foreign.returncode == 1 and "NOT verified" in foreign.stderr


def test_a_log_cut_back_after_the_receipt_is_detected(done, tmp_path):
    store, request, _ = done
    receipt = tmp_path / "receipt.json"
    receipt.write_text(json.dumps(request))
    assert unlearn("audit", "verify", "--store", store, "--receipt", str(receipt)).returncode == 0
    seq = json.loads(request["receipt"]["signed"]["document"])["audit_seq"]
    with sqlite3.connect(store) as database:
        database.execute("DELETE FROM audit_log WHERE seq >= ?", (seq,))
    # The shortened chain still links up on its own ...
    assert unlearn("audit", "verify", "--store", store).returncode == 0
    # ... but not with the receipt.
    cut = unlearn("audit", "verify", "--store", store, "--receipt", str(receipt), check=False)
    assert cut.returncode == 1 and "truncated" in cut.stderr


def test_after_a_rotation_the_old_receipt_verifies_from_the_published_list(done, tmp_path):
    store, request, key = done
    receipt = tmp_path / "receipt.json"
    receipt.write_text(json.dumps(request))
    unlearn("store", "rotate-signing-key", "--store", store)
    published = tmp_path / "keys.json"
    published.write_text(unlearn("store", "public-key", "--store", store, "--all").stdout)
    keys = json.loads(published.read_text())["keys"]
    assert [k["key_id"] for k in keys][1] == key["key_id"] and "retired_at" in keys[1]
    assert unlearn("receipt", "verify", "--receipt", str(receipt), "--public-key", str(published)).returncode == 0
    current = json.loads(unlearn("store", "public-key", "--store", store).stdout)
    assert current["key_id"] != key["key_id"]


def test_the_signing_key_can_live_elsewhere(tmp_path):
    store, elsewhere = str(tmp_path / "store.sqlite"), str(tmp_path / "keys" / "signing.key")
    (tmp_path / "keys").mkdir()
    unlearn("store", "init", "--store", store, "--signing-key", elsewhere)
    assert oct(os.stat(elsewhere).st_mode & 0o777) == "0o600"
    key = json.loads(unlearn("store", "public-key", "--store", store, "--signing-key", elsewhere).stdout)
    assert len(key["public_key"]) == 64
    missing = unlearn("store", "public-key", "--store", store, check=False)
    assert missing.returncode == 1 and "--signing-key" in missing.stderr
