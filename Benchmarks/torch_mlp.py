#!/usr/bin/env python3
"""Times PyTorch (CPU) training the same MLP as `unlearn-benchmarks mlp`, when torch is installed.

784-256-10, ReLU, Adam (lr 1e-3), batch 128, features standardized, float32 (PyTorch's default).
Prints one JSON object: seconds per epoch (mean) and test accuracy after the given epochs; or
{"error": ...} when torch is not installed.
"""
import argparse
import gzip
import json
import sys
import time


def load(path):
    import numpy as np

    with gzip.open(path, "rb") as handle:
        images = handle.read()
    with gzip.open(path.replace("images-idx3", "labels-idx1"), "rb") as handle:
        labels = handle.read()
    count = int.from_bytes(images[4:8], "big")
    x = np.frombuffer(images, dtype=np.uint8, offset=16).reshape(count, -1).astype(np.float32)
    y = np.frombuffer(labels, dtype=np.uint8, offset=8).astype(np.int64)
    return x, y


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--train", required=True)
    parser.add_argument("--test", required=True)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--threads", type=int, default=1)
    arguments = parser.parse_args()
    try:
        import numpy as np
        import torch
    except ImportError:
        print(json.dumps({"error": "torch is not installed"}))
        return 0
    torch.manual_seed(0)
    torch.set_num_threads(arguments.threads)
    x, y = load(arguments.train)
    x_test, y_test = load(arguments.test)
    mean, std = x.mean(axis=0), x.std(axis=0)
    std[std == 0] = 1
    x, x_test = (x - mean) / std, (x_test - mean) / std
    x, y = torch.from_numpy(x), torch.from_numpy(y)
    model = torch.nn.Sequential(torch.nn.Linear(784, 256), torch.nn.ReLU(), torch.nn.Linear(256, 10))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_function = torch.nn.CrossEntropyLoss()
    epoch_seconds = []
    for _ in range(arguments.epochs):
        start = time.perf_counter()
        order = torch.randperm(len(y))
        for begin in range(0, len(y), 128):
            rows = order[begin:begin + 128]
            optimizer.zero_grad()
            loss = loss_function(model(x[rows]), y[rows])
            loss.backward()
            optimizer.step()
        epoch_seconds.append(time.perf_counter() - start)
    with torch.no_grad():
        predicted = model(torch.from_numpy(x_test)).argmax(dim=1).numpy()
    print(json.dumps({
        "torch": torch.__version__,
        "seconds_per_epoch": sum(epoch_seconds) / len(epoch_seconds),
        "test_accuracy": float((predicted == y_test).mean()),
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
