# The two commands of the README. Both install missing system libraries first.
.PHONY: demo test end-to-end dependencies

dependencies:
	@./scripts/install-dependencies.sh

## Run the demo: a sample single-table store on LMDB, queried, with timings (release build).
demo: dependencies
	swift run -c release kvtable demo

## Run the whole test suite: Swift tests (both backends), then the boto3 suite against `kvtable serve`.
test: dependencies
	swift test
	./scripts/run-end-to-end.sh

## Only the end-to-end suite (boto3 against `kvtable serve`).
end-to-end: dependencies
	./scripts/run-end-to-end.sh
