#!/usr/bin/env python3
"""Erases every training sample of one person from a model, waits, and prints the receipt.

Which samples are a person's is your records' business, not the model's: give them as a CSV with
the columns `person` and `id` (one row per sample; --index), or as --id arguments.

    export UNLEARN_API_TOKEN=secret
    python3 clients/python/examples/erase_user.py --model bc --person alice --index people.csv
    python3 clients/python/examples/erase_user.py --model bc --person alice --id 12 --id 40

The request id is derived from the person (erase-<person>), so running the script again after a
timeout or a crash asks for the same request rather than a second one. Exit status: 0 when the
request is done, 1 when it failed or was rejected, 2 for bad arguments.
"""

import argparse
import csv
import json
import os
import sys
from dataclasses import asdict

from unlearn_client import UnlearnClient, UnlearnError


def ids_of(person, index_path):
    with open(index_path, newline="") as handle:
        reader = csv.DictReader(handle)
        if not reader.fieldnames or not {"person", "id"} <= set(reader.fieldnames):
            sys.exit(f"{index_path}: expected the columns 'person' and 'id', found {reader.fieldnames}")
        return [row["id"] for row in reader if row["person"] == person]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8080", help="the server (default: %(default)s)")
    parser.add_argument("--token", default=os.environ.get("UNLEARN_API_TOKEN"), help="API token (default: $UNLEARN_API_TOKEN)")
    parser.add_argument("--model", required=True, help="the model's name in the store")
    parser.add_argument("--person", required=True, help="whose samples to erase")
    parser.add_argument("--index", help="CSV with columns person,id mapping people to sample ids")
    parser.add_argument("--id", action="append", default=[], help="a sample id (repeatable)")
    parser.add_argument("--timeout", type=float, default=300, help="seconds to wait (default: %(default)s)")
    arguments = parser.parse_args()
    if not arguments.token:
        parser.error("give --token or set UNLEARN_API_TOKEN")
    ids = list(arguments.id) + (ids_of(arguments.person, arguments.index) if arguments.index else [])
    if not ids:
        parser.error(f"no sample ids for {arguments.person!r}: give --id or an --index that lists them")
    with UnlearnClient(arguments.url, token=arguments.token) as client:
        try:
            request = client.submit_deletion(arguments.model, ids, request_id=f"erase-{arguments.person}")
            request = client.wait(request.id, timeout=arguments.timeout)
        except UnlearnError as error:
            print(f"the server refused: {error}", file=sys.stderr)
            return 1
        except TimeoutError as error:
            print(f"{error}; run the script again later to see its end", file=sys.stderr)
            return 1
    if request.status != "done":
        print(f"request {request.id} {request.status}: {request.error}", file=sys.stderr)
        return 1
    print(json.dumps(asdict(request.receipt), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
