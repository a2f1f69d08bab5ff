"""Python client for the Unlearn HTTP API (`unlearn serve`).

    from unlearn_client import UnlearnClient
    c = UnlearnClient("http://127.0.0.1:8080", token="secret")
    r = c.wait(c.submit_deletion("bc", ["12"], request_id="erase-42").id)
    print(r.status, r.receipt.decision)
"""

from .client import UnlearnClient, UnlearnError
from .models import AuditEntry, DeletionRequest, Model, Prediction, Receipt
from .receipts import ReceiptError, verify_receipt

__all__ = [
    "UnlearnClient", "UnlearnError", "AuditEntry", "DeletionRequest", "Model", "Prediction", "Receipt",
    "ReceiptError", "verify_receipt",
]
__version__ = "0.1.0"
