#!/usr/bin/env python3
"""Times scikit-learn's LogisticRegression fit for the training benchmark (unlearn-benchmarks training).

Reads the same file the Swift side reads (CSV with the label last, or an IDX images file with its
labels file beside it) and standardizes it with StandardScaler, or reads features the Swift side has
already prepared (--matrix: int64 n, int64 d, n*d float64 row-major, n int64 labels, little-endian;
no scaling applied), and times only `fit` (lbfgs, given C, tol and max_iter) over the given number of
repetitions. Prints one JSON object: median seconds, iterations,
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


def load_matrix(path):
    import numpy as np

    header = np.fromfile(path, dtype="<i8", count=2)
    n, d = int(header[0]), int(header[1])
    x = np.fromfile(path, dtype="<f8", count=n * d, offset=16).reshape(n, d)
    y = np.fromfile(path, dtype="<i8", count=n, offset=16 + 8 * n * d)
    return x, y


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data")
    parser.add_argument("--matrix")
    parser.add_argument("--max-iter", type=int, default=100_000)
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
    if arguments.matrix:
        x, y = load_matrix(arguments.matrix)
    else:
        x, y = load(arguments.data)
        x = StandardScaler().fit_transform(x)
    import warnings

    from sklearn.exceptions import ConvergenceWarning

    # A capped run is reported by its iteration count against max_iter, not by a warning.
    warnings.simplefilter("ignore", ConvergenceWarning)
    seconds = []
    model = None
    for _ in range(arguments.repetitions):
        model = LogisticRegression(C=arguments.C, solver="lbfgs", tol=arguments.tol, max_iter=arguments.max_iter)
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
        "max_iter": arguments.max_iter,
        "parameters": coefficients.reshape(-1).tolist(),
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
