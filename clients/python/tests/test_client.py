"""The client against a live server (see conftest.py): every method, its types and its errors."""

import csv
import pathlib

import pytest

from unlearn_client import AuditEntry, DeletionRequest, Model, ReceiptError, UnlearnClient, UnlearnError, verify_receipt

REPOSITORY = pathlib.Path(__file__).resolve().parents[3]


def feature_row(index: int):
    """Row `index` of the bundled breast cancer data, without its label."""
    with open(REPOSITORY / "data" / "breast_cancer.csv", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        for number, row in enumerate(reader):
            if number == index:
                return [float(value) for name, value in zip(header, row) if name != "label"]
    raise IndexError(index)


@pytest.fixture
def client(server):
    base, token, _ = server
    with UnlearnClient(base, token=token) as client:
        yield client


def test_deletion_runs_to_a_receipt_and_the_model_moves_on(client):
    before = client.get_model("bc")
    assert isinstance(before, Model) and before.name == "bc" and before.strategy == "newton"
    submitted = client.submit_deletion("bc", ["12", "40"], request_id="erase-client-1")
    assert isinstance(submitted, DeletionRequest)
    assert submitted.request_id == "erase-client-1" and submitted.id_count == 2
    assert submitted.status in {"queued", "running", "done"}
    finished = client.wait(submitted.id, timeout=120)
    assert finished.status == "done", finished.error
    assert finished.receipt is not None and finished.receipt.decision == "approximate"
    assert finished.receipt.version_after == finished.receipt.version_before + 1
    assert finished.report is not None and finished.report["forgotten"] == 2
    after = client.get_model("bc")
    assert after.remaining_samples == before.remaining_samples - 2
    assert after.version == finished.receipt.version_after and not after.exact


def test_a_retry_with_the_same_request_id_is_the_same_request(client):
    first = client.submit_deletion("bc", ["77"], request_id="erase-client-2")
    again = client.submit_deletion("bc", ["77"], request_id="erase-client-2")
    assert again.id == first.id
    client.wait(first.id)
    with pytest.raises(UnlearnError) as reused:
        client.submit_deletion("bc", ["78"], request_id="erase-client-2")
    assert reused.value.status == 409 and reused.value.message


def test_without_a_request_id_the_client_makes_one(client):
    request = client.submit_deletion("bc", ["91"])
    assert request.request_id and request.request_id.startswith("client-")
    assert client.wait(request.id).status == "done"


def test_predict_gives_a_probability_row_per_input_row(client):
    rows = [feature_row(20), feature_row(21)]
    probabilities = client.predict("bc", rows)
    assert len(probabilities) == 2
    for row in probabilities:
        assert len(row) == 2 and abs(sum(row) - 1) < 1e-9
    labelled = client.predict_with_labels("bc", rows)
    assert len(labelled.labels) == 2 and labelled.model == "bc"


def test_audit_pages_through_every_entry_in_order(client):
    client.wait(client.submit_deletion("bc", ["130"], request_id="erase-client-3").id)
    everything = list(client.audit(after=0, limit=1000))
    assert everything and all(isinstance(entry, AuditEntry) for entry in everything)
    paged = list(client.audit(after=0, limit=1))
    assert [entry.seq for entry in paged] == [entry.seq for entry in everything]
    assert all(later.previous_hash == earlier.hash for earlier, later in zip(everything, everything[1:]))
    # The audit log never holds the ids themselves.
    assert all('"130"' not in entry.details for entry in everything)


@pytest.mark.parametrize(
    "call, status",
    [
        (lambda c: c.get_model("no-such-model"), 404),
        (lambda c: c.get_deletion("no-such-request"), 404),
        (lambda c: c.submit_deletion("bc", []), 400),
        (lambda c: c.submit_deletion("bc", ["not-an-id"]), 422),
        (lambda c: c.predict("bc", [[1.0, 2.0]]), 400),
    ],
)
def test_errors_carry_the_status_and_the_servers_message(client, call, status):
    with pytest.raises(UnlearnError) as error:
        call(client)
    assert error.value.status == status
    assert error.value.message and "HTTP" not in error.value.message


def test_a_wrong_token_is_401(server):
    base, _, _ = server
    with UnlearnClient(base, token="wrong") as client:
        with pytest.raises(UnlearnError) as error:
            client.get_model("bc")
    assert error.value.status == 401 and "bearer" in error.value.message


def test_an_unreachable_server_is_an_error_with_status_0():
    with UnlearnClient("http://127.0.0.1:9", token="t", retries=0) as client:
        with pytest.raises(UnlearnError) as error:
            client.get_model("bc")
    assert error.value.status == 0


def test_wait_times_out_on_a_request_that_has_not_ended(client, monkeypatch):
    request = client.submit_deletion("bc", ["150"], request_id="erase-client-4")
    running = DeletionRequest(id=request.id, status="running")
    monkeypatch.setattr(client, "get_deletion", lambda _: running)
    with pytest.raises(TimeoutError):
        client.wait(request.id, timeout=0.3, interval=0.1)


def test_a_receipt_verifies_offline_with_the_served_key(client):
    request = client.wait(client.submit_deletion("bc", ["160", "161"], request_id="erase-client-5").id)
    keys = client.signing_keys()
    assert len(keys) == 1 and keys[0]["algorithm"] == "Ed25519"
    signed = request.receipt.signed
    fields = verify_receipt(signed, keys[0]["public_key"], ids=["160", "161"])
    assert fields["request_id"] == request.id and fields["id_count"] == 2
    with pytest.raises(ReceiptError):
        verify_receipt(signed, keys[0]["public_key"], ids=["162"])
    tampered = dict(signed, document=signed["document"].replace('"bc"', '"bd"'))
    with pytest.raises(ReceiptError):
        verify_receipt(tampered, keys[0]["public_key"])
