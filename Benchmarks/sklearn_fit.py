#!/usr/bin/env python3
"""Times scikit-learn's LogisticRegression fit for the training benchmark (unlearn-benchmarks training).

Reads the same file the Swift side reads (CSV with the label last, or an IDX images file with its
labels file beside it), standardizes it with StandardScaler, and times only `fit` (lbfgs, given C
and tol) over the given number of repetitions. Prints one JSON object: median seconds, iterations,
and the fitted parameters in Unlearn's layout (theta[j*K + k], bias row last; binary: one column),
so the caller can measure how far scikit-learn stopped from the optimum.
"""
import argparse
import csv
import gzip
import json
import statistics
import sys
import time


def blas_core():
    """The kernel sets of the OpenBLAS copies numpy and scipy loaded (threadpoolctl), or None."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return None
    cores = {info.get("architecture") for info in threadpool_info() if info.get("internal_api") == "openblas"}
    return ", ".join(sorted(core for core in cores if core)) or None


def load(path):
    import numpy as np

    if "idx3-ubyte" in path:
        opener = gzip.open if path.endswith(".gz") else open
        with opener(path, "rb") as handle:
            images = handle.read()
        with opener(path.replace("images-idx3", "labels-idx1"), "rb") as handle:
            labels = handle.read()
        count = int.from_bytes(images[4:8], "big")
        rows, columns = int.from_bytes(images[8:12], "big"), int.from_bytes(images[12:16], "big")
        x = np.frombuffer(images, dtype=np.uint8, offset=16).reshape(count, rows * columns).astype(np.float64)
        y = np.frombuffer(labels, dtype=np.uint8, offset=8).astype(np.int64)
        return x, y
    with open(path, newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        body = np.array([[float(value) for value in row] for row in reader])
    label = header.index("label") if "label" in header else len(header) - 1
    features = [i for i in range(len(header)) if i != label and header[i] != "id"]
    return body[:, features], body[:, label].astype(np.int64)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", required=True)
    parser.add_argument("--C", type=float, default=1.0)
    parser.add_argument("--tol", type=float, default=1e-4)
    parser.add_argument("--repetitions", type=int, default=1)
    arguments = parser.parse_args()
    try:
        import numpy as np
        import sklearn
        from sklearn.linear_model import LogisticRegression
        from sklearn.preprocessing import StandardScaler
    except ImportError:
        print(json.dumps({"error": "scikit-learn is not installed"}))
        return 0
    x, y = load(arguments.data)
    x = StandardScaler().fit_transform(x)
    seconds = []
    model = None
    for _ in range(arguments.repetitions):
        model = LogisticRegression(C=arguments.C, solver="lbfgs", tol=arguments.tol, max_iter=100_000)
        start = time.perf_counter()
        model.fit(x, y)
        seconds.append(time.perf_counter() - start)
    coefficients = np.vstack([model.coef_.T, model.intercept_[None, :]])  # (d + 1) x outputs
    print(json.dumps({
        "sklearn": sklearn.__version__,
        "blas_core": blas_core(),
        "seconds": statistics.median(seconds),
        "repetitions": len(seconds),
        "iterations": int(np.max(model.n_iter_)),
        "parameters": coefficients.reshape(-1).tolist(),
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
