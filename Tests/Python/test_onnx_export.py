"""`unlearn export --format onnx` against `unlearn predict`: ONNX Runtime on the exported graph, fed
raw float32 features from the bundled data, gives the same probabilities within 1e-5 and the same
labels, for binary and softmax logistic models, an MLP, newton states (plain and certified, whose
rows are scaled to unit length), sisa states (mean and vote), hybrid, arcane and lmeraser states.

The binary is $UNLEARN_BINARY, else the repository's release build; without either the tests are
skipped, saying so.
"""

import csv
import io
import os
import pathlib
import subprocess

import numpy as np
import onnxruntime
import pytest

REPOSITORY = pathlib.Path(__file__).resolve().parents[2]


def binary() -> str:
    given = os.environ.get("UNLEARN_BINARY")
    if given:
        if not pathlib.Path(given).is_file():
            pytest.fail(f"UNLEARN_BINARY={given} is not a file")
        return given
    path = REPOSITORY / ".build" / "release" / "unlearn"
    if not path.is_file():
        pytest.skip(f"no unlearn binary at {path}: run `make build` or set UNLEARN_BINARY")
    return str(path)


def run(*arguments: str) -> str:
    environment = dict(os.environ, OPENBLAS_NUM_THREADS="1")
    return subprocess.run([binary(), *arguments], check=True, capture_output=True, text=True, env=environment).stdout


def raw_features(data: pathlib.Path) -> np.ndarray:
    with open(data, newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        keep = [index for index, name in enumerate(header) if name not in ("label", "id")]
        return np.array([[float(row[index]) for index in keep] for row in reader], dtype=np.float32)


def predicted(model: pathlib.Path, data: pathlib.Path):
    table = list(csv.DictReader(io.StringIO(run("predict", "--model", str(model), "--data", str(data)))))
    columns = [name for name in table[0] if name.startswith("p_")]
    return np.array([[float(row[c]) for c in columns] for row in table]), [row["label"] for row in table]


CASES = {
    "logistic-binary": ("breast_cancer.csv", ["--model", "logistic"]),
    "logistic-softmax": ("digits.csv", ["--model", "logistic"]),
    "mlp": ("digits.csv", ["--model", "mlp", "--hidden", "32,16", "--epochs", "3"]),
    "newton-state": ("breast_cancer.csv", ["--model", "logistic", "--strategy", "newton"]),
    "sisa-mean": ("digits.csv", ["--model", "logistic", "--strategy", "sisa", "--shards", "3", "--aggregation", "mean"]),
    "sisa-vote": ("digits.csv", ["--model", "logistic", "--strategy", "sisa", "--shards", "3", "--aggregation", "vote"]),
    "arcane-state": ("digits.csv", ["--model", "logistic", "--strategy", "arcane"]),
    "arcane-binary": ("breast_cancer.csv", ["--model", "logistic", "--strategy", "arcane"]),
    "hybrid-state": ("digits.csv", ["--model", "logistic", "--strategy", "hybrid", "--shards", "3"]),
    "lmeraser-state": ("digits.csv", ["--model", "mlp", "--hidden", "32,16", "--epochs", "3", "--strategy", "lmeraser"]),
    "certified-state": ("breast_cancer.csv", ["--model", "logistic", "--strategy", "newton", "--certified", "--epsilon", "1", "--delta", "1e-4"]),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_onnx_runtime_agrees_with_unlearn_predict(case, tmp_path):
    name, options = CASES[case]
    data = REPOSITORY / "data" / name
    model = tmp_path / "model"
    run("train", "--data", str(data), *options, "--out", str(model), "--no-progress")
    graph = tmp_path / "model.onnx"
    run("export", "--model", str(model), "--format", "onnx", "--out", str(graph))
    session = onnxruntime.InferenceSession(str(graph), providers=["CPUExecutionProvider"])
    probabilities, labels = session.run(["probabilities", "label"], {"features": raw_features(data)})
    expected, expected_labels = predicted(model, data)
    assert probabilities.dtype == np.float32 and probabilities.shape == expected.shape
    difference = float(np.max(np.abs(probabilities - expected)))
    print(f"{case}: largest probability difference {difference:.2e} over {len(labels)} rows")
    assert difference <= 1e-5
    assert [str(label) for label in labels] == expected_labels
