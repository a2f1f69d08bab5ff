# The two commands a newcomer needs, each installing what is missing first:
#   make demo   build the CLI and run the main job on the bundled real data
#   make test   run the test suite
# Both use one optimized build of everything, tests included (release, with testing enabled so the
# tests can link it): whichever runs second finds it built. Every target here builds with the same
# invocation, because SwiftPM rebuilds every module when a build's product selection changes.
.PHONY: build demo test install doctest bench bench-all crosscheck python-test lint format dependencies

RELEASE = -c release -Xswiftc -enable-testing
PREFIX ?= /usr/local

dependencies:
	@scripts/install-dependencies

build: dependencies
	swift build $(RELEASE) --build-tests

demo: build
	OPENBLAS_NUM_THREADS=1 .build/release/unlearn demo
	OPENBLAS_NUM_THREADS=1 scripts/demo-store .build/release/unlearn demo-store.sqlite

test: build
	swift test $(RELEASE) --skip-build

# `unlearn` on your PATH: $(PREFIX)/bin/unlearn (PREFIX=~/.local for a user's own bin folder).
install: build
	install -d "$(PREFIX)/bin"
	install -m 0755 .build/release/unlearn "$(PREFIX)/bin/unlearn"

# Runs the README's walkthrough as written (CI does, after the demo).
doctest:
	python3 scripts/readme-doctest

# Benchmarks: a nested package built in release mode, reading ../shared/data.
#   make bench       gemm and loading (about a minute)
#   make bench-all   also logistic training vs scikit-learn and the Fashion-MNIST MLP (over an hour)
bench: dependencies
	cd Benchmarks && swift build -c release && .build/release/unlearn-benchmarks quick --data ../../shared/data

bench-all: dependencies
	cd Benchmarks && swift build -c release && .build/release/unlearn-benchmarks all --data ../../shared/data

# Logistic models against scikit-learn on the same data (skipped, and says so, without scikit-learn).
crosscheck: build
	python3 scripts/crosscheck_sklearn.py --unlearn .build/release/unlearn

# The tests that use outside Python tools, in a virtual environment (nothing installed system-wide):
# the Python client (clients/python) against a live `unlearn serve`, the OpenAPI document validated
# and the server fuzzed from it by schemathesis, ONNX Runtime on exported models, and the web
# console in headless Chromium through Selenium (Tests/Python; skipped, saying so, without chromium
# and chromium-driver unless UNLEARN_REQUIRE_BROWSER=1).
python-test: build
	python3 -m venv .venv-python
	.venv-python/bin/pip install --quiet './clients/python[test,verify]' onnxruntime numpy selenium
	SE_AVOID_STATS=true UNLEARN_BINARY="$(CURDIR)/.build/release/unlearn" \
	  .venv-python/bin/python -m pytest -q -rs clients/python/tests Tests/Python

lint:
	git ls-files -z '*.swift' | xargs -0 swift format lint --strict

format:
	git ls-files -z '*.swift' | xargs -0 swift format -i
