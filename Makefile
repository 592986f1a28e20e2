# The two commands of the README. Both install missing system libraries first.
.PHONY: demo test end-to-end dependencies docs docs-check examples fuzz

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

# The library modules with a DocC catalog (Sources/<module>/<module>.docc).
DOC_MODULES = KVTable Analytics KVTableServer KVTableRemote KVTableDynamoDB

## Build the documentation (DocC, swift-docc-plugin) into .build/docs/<module>.doccarchive; a
## DocC warning (a broken symbol link, an undocumented parameter) fails the build.
docs:
	@mkdir -p .build/docs
	@for module in $(DOC_MODULES); do \
	  swift package --allow-writing-to-directory .build/docs generate-documentation --target $$module \
	    --warnings-as-errors --output-path .build/docs/$$module.doccarchive || exit 1; \
	done

## `make docs`, after checking that every public declaration has /// documentation.
docs-check:
	swift package dump-symbol-graph --minimum-access-level public > /dev/null
	./scripts/check-documentation.py .build/$$(uname -m)-unknown-linux-gnu/symbolgraph $(DOC_MODULES)
	$(MAKE) docs

## The consumer package (Examples/Service): built and tested against this package, by path.
examples: dependencies
	cd Examples/Service && swift build --build-tests && swift test --skip-build

## Fuzz a parser for MINUTES (default 1) with libFuzzer: FUZZER=expression-parser, request-json,
## item-codec or all (the default). Findings stop the run and land in .build/fuzz/findings/.
fuzz: dependencies
	./scripts/fuzz.sh $(or $(FUZZER),all) $(or $(MINUTES),1)
