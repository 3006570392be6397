# tally: make demo runs the main job on the shipped example; make test runs every test.
GO        ?= go
BIN       ?= bin/tally
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS   := -s -w -X main.version=$(VERSION)
FUZZTIME  ?= 30s
# Packages whose tests define -update for golden files.
GOLDEN_PKGS := ./cmd/tally

export CGO_ENABLED = 0

.PHONY: all build demo test interop lint bench fuzz golden clean

all: build

build:
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/tally

demo: build
	$(BIN) run testdata/kz-2021/pipeline.yaml --out out/kz-2021 --force
	@echo
	@echo "Outputs in out/kz-2021: results, units, seats, findings, rejects as .parquet, .arrow and .csv, and datapackage.json."

test:
	$(GO) vet ./...
	$(GO) test ./...

# Reads every output back with readers tally did not write: DuckDB (cgo,
# in its own module interop/) and hyparquet and apache-arrow under Node
# (npm ci from the committed lock file). Needs gcc, node and npm; the
# first run downloads DuckDB (about 130 MB) and builds it in a few minutes.
interop:
	cd interop/js && npm ci --no-audit --no-fund
	cd interop && CGO_ENABLED=1 $(GO) test -mod=mod ./...

lint:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); echo "gofmt would change the files above"; exit 1; }
	$(GO) vet ./...
	$(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2 ./...

# Go benchmarks (MB/s and allocations; sizes are sub-benchmarks). BENCH
# narrows them, BENCHCOUNT repeats them for benchstat; the table is also
# kept in BENCHOUT. BENCHMARKS.md has the whole-process comparisons.
BENCH      ?= .
BENCHCOUNT ?= 1
BENCHOUT   ?= /tmp/tally-bench.txt
bench:
	$(GO) test -run '^$$' -bench '$(BENCH)' -benchmem -count $(BENCHCOUNT) ./... > $(BENCHOUT); s=$$?; cat $(BENCHOUT); exit $$s

# Runs every fuzz target for FUZZTIME each; crashers land in testdata/fuzz.
fuzz:
	@for pkg in $$($(GO) list ./...); do \
	  for f in $$($(GO) test -list '^Fuzz' $$pkg 2>/dev/null | grep '^Fuzz'); do \
	    echo "== $$pkg $$f"; $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
	  done; \
	done

golden:
	$(GO) test $(GOLDEN_PKGS) -run 'TestGolden|TestScripts' -update

clean:
	rm -rf bin out
