# The two commands of the README. Both install missing system libraries first.
.PHONY: demo test dependencies

dependencies:
	@./scripts/install-dependencies.sh

## Run the demo: a sample single-table store on LMDB, queried, with timings (release build).
demo: dependencies
	swift run -c release kvtable demo

## Run the whole test suite (both backends).
test: dependencies
	swift test
