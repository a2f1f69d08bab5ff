# The two commands a newcomer needs, each installing what is missing first:
#   make demo   build the CLI and run the main job on the bundled real data
#   make test   run the test suite
.PHONY: demo test bench lint format dependencies

dependencies:
	@scripts/install-dependencies

demo: dependencies
	swift build -c release --product unlearn
	.build/release/unlearn data inspect data/digits.csv
	.build/release/unlearn data inspect data/breast_cancer.csv

test: dependencies
	swift test

# Benchmarks: a nested package built in release mode; reads ../shared/data for the loading figures.
bench: dependencies
	cd Benchmarks && swift build -c release && .build/release/unlearn-benchmarks all --data ../../shared/data

lint:
	git ls-files -z '*.swift' | xargs -0 swift format lint --strict

format:
	git ls-files -z '*.swift' | xargs -0 swift format -i
