# Everything a fresh Debian 12 machine needs: `make run` and `make test` install the missing
# packages (apt-get), configure, build (Release) and run. See README.md.
BUILD ?= build
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=

.PHONY: all deps configure build run test bench clean

all: build

deps:
	@tools/install_deps.sh

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS)

configure: deps $(BUILD)/CMakeCache.txt

build: configure
	cmake --build $(BUILD) -j $(JOBS)

run: build
	./$(BUILD)/edgepart simulate scenarios/default.json --strategy all --format table

test: build
	@tools/install_deps.sh chromium   # the HTML report test renders in headless Chromium
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)

bench: build
	./$(BUILD)/bench/edgepart_bench --benchmark_counters_tabular=true

clean:
	rm -rf $(BUILD)
