#!/usr/bin/env python3
"""Cross-checks Unlearn's logistic regression against scikit-learn's on the same data.

For each dataset: standardize all rows (StandardScaler), fit scikit-learn's
LogisticRegression(C=1, lbfgs, tight tolerance) and `unlearn train --model logistic --C 1` on
the same rows, and compare the predicted probabilities of every row. The reference probabilities
come from scikit-learn in this run; nothing is typed in. Passes when the largest absolute
difference is at most 1e-5 (DESIGN.md section 3: same objective, lambda = 1/C, bias unregularized).

Usage: scripts/crosscheck_sklearn.py [--unlearn PATH] [CSV ...]
Exit status: 0 all agree (or scikit-learn is not installed: the check is skipped and says so),
1 a dataset disagrees, 2 usage or tool failure.
"""
import argparse
import csv
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
TOLERANCE = 1e-5


def load_csv(path):
    import numpy as np

    with open(path, newline="") as handle:
        rows = list(csv.reader(handle))
    header, body = rows[0], rows[1:]
    label = header.index("label") if "label" in header else len(header) - 1
    features = [i for i in range(len(header)) if i != label and header[i] != "id"]
    x = np.array([[float(row[i]) for i in features] for row in body])
    y = np.array([int(float(row[label])) for row in body])
    return x, y


def sklearn_probabilities(path, c):
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    x, y = load_csv(path)
    scaled = StandardScaler().fit_transform(x)
    model = LogisticRegression(C=c, solver="lbfgs", tol=1e-12, max_iter=100_000)
    model.fit(scaled, y)
    return model.predict_proba(scaled), model.n_iter_


def unlearn_probabilities(unlearn, path, c):
    with tempfile.TemporaryDirectory() as folder:
        model = os.path.join(folder, "model.ulm")
        subprocess.run(
            [unlearn, "train", "--data", path, "--model", "logistic", "--C", str(c), "--out", model,
             "--no-progress", "--format", "json"],
            check=True, stdout=subprocess.DEVNULL)
        output = subprocess.run(
            [unlearn, "predict", "--model", model, "--data", path], check=True, capture_output=True, text=True
        ).stdout
    rows = list(csv.reader(output.splitlines()))
    return [[float(value) for value in row[2:]] for row in rows[1:]]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--unlearn", default=os.path.join(ROOT, ".build", "release", "unlearn"))
    parser.add_argument("--C", type=float, default=1.0)
    parser.add_argument("datasets", nargs="*", default=[
        os.path.join(ROOT, "data", "breast_cancer.csv"), os.path.join(ROOT, "data", "digits.csv")])
    arguments = parser.parse_args()
    try:
        import numpy  # noqa: F401
        import sklearn
    except ImportError:
        print("scikit-learn cross-check skipped: scikit-learn is not installed (pip install scikit-learn)")
        return 0
    if not os.access(arguments.unlearn, os.X_OK):
        print(f"error: {arguments.unlearn} is not an executable; build it with "
              "'swift build -c release --product unlearn' or pass --unlearn", file=sys.stderr)
        return 2
    print(f"scikit-learn {sklearn.__version__}, C = {arguments.C}, tolerance {TOLERANCE:g} (max |p_ours - p_sklearn|)")
    failed = False
    for path in arguments.datasets:
        reference, iterations = sklearn_probabilities(path, arguments.C)
        ours = unlearn_probabilities(arguments.unlearn, path, arguments.C)
        if len(ours) != len(reference) or any(len(row) != reference.shape[1] for row in ours):
            print(f"FAIL {os.path.basename(path)}: shapes differ", file=sys.stderr)
            failed = True
            continue
        difference = max(abs(a - b) for row, ref in zip(ours, reference) for a, b in zip(row, ref))
        verdict = "ok  " if difference <= TOLERANCE else "FAIL"
        failed |= difference > TOLERANCE
        print(f"{verdict} {os.path.basename(path)}: {len(ours)} rows x {reference.shape[1]} classes, "
              f"max abs difference {difference:.2e} (scikit-learn lbfgs iterations: {int(max(iterations))})")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
