"""The API's contract, checked by tools from outside the project: the document is valid OpenAPI
3.1 (openapi-spec-validator), and schemathesis, fuzzing the live server from it, finds no server
error and no answer the document does not describe."""

import os
import pathlib
import shutil
import subprocess
import sys

import httpx
from openapi_spec_validator import validate

REPOSITORY = pathlib.Path(__file__).resolve().parents[3]


def test_the_served_document_is_the_committed_one_and_valid(server):
    base, _, _ = server
    served = httpx.get(base + "/openapi.json")
    assert served.status_code == 200 and served.headers["content-type"].startswith("application/json")
    committed = (REPOSITORY / "Sources" / "UnlearnServer" / "openapi.json").read_text()
    assert served.text == committed
    validate(served.json())
    yaml = httpx.get(base + "/openapi.yaml")
    assert yaml.status_code == 200 and yaml.text == committed


def test_schemathesis_finds_no_server_error_and_no_undocumented_answer(server, tmp_path):
    base, token, _ = server
    executable = shutil.which("schemathesis") or str(pathlib.Path(sys.executable).parent / "schemathesis")
    examples = os.environ.get("UNLEARN_SCHEMATHESIS_EXAMPLES", "25")
    result = subprocess.run(
        [executable, "run", base + "/openapi.json", "--url", base,
         "--header", f"Authorization: Bearer {token}",
         "--checks", "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance",
         "--max-examples", examples, "--seed", "1", "--workers", "1", "--request-timeout", "60",
         "--phases", "examples,coverage,fuzzing"],
        capture_output=True, text=True, cwd=tmp_path, env=dict(os.environ, SCHEMATHESIS_TELEMETRY="false"),
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
