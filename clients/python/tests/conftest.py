"""A live `unlearn serve` on loopback for the tests: a fresh store with the bundled breast cancer
data trained into it as model `bc` (newton), and the server's token.

The binary is $UNLEARN_BINARY, else the repository's release build (`make build`). Without either
the tests are skipped, saying so; with $UNLEARN_BINARY set to a missing file they fail.
"""

import os
import pathlib
import socket
import subprocess
import time

import httpx
import pytest

REPOSITORY = pathlib.Path(__file__).resolve().parents[3]
TOKEN = "client-test-token"


def binary() -> pathlib.Path:
    given = os.environ.get("UNLEARN_BINARY")
    if given:
        path = pathlib.Path(given)
        if not path.is_file():
            pytest.fail(f"UNLEARN_BINARY={given} is not a file")
        return path
    path = REPOSITORY / ".build" / "release" / "unlearn"
    if not path.is_file():
        pytest.skip(f"no unlearn binary at {path}: run `make build` or set UNLEARN_BINARY")
    return path


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    """(base URL, token, store path) of a running server; stopped after the session."""
    unlearn = str(binary())
    directory = tmp_path_factory.mktemp("store")
    store = str(directory / "store.sqlite")
    subprocess.run([unlearn, "store", "init", "--store", store], check=True, capture_output=True)
    subprocess.run(
        [unlearn, "train", "--data", str(REPOSITORY / "data" / "breast_cancer.csv"), "--model", "logistic",
         "--strategy", "newton", "--store", store, "--name", "bc", "--no-progress"],
        check=True, capture_output=True,
    )
    port = free_port()
    environment = dict(os.environ, UNLEARN_API_TOKEN=TOKEN, OPENBLAS_NUM_THREADS="1")
    log = open(directory / "serve.log", "wb")
    process = subprocess.Popen(
        [unlearn, "serve", "--store", store, "--host", "127.0.0.1", "--port", str(port)],
        env=environment, stdout=log, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(base + "/readyz", timeout=1).status_code == 200:
                break
        except httpx.TransportError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"unlearn serve did not become ready; its log: {(directory / 'serve.log').read_text()}")
        time.sleep(0.1)
    yield base, TOKEN, store
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
    log.close()
