# Everything a fresh Debian 12 machine needs: `make run` and `make test` install the missing
# packages (apt-get), configure, build (Release) and run. See README.md.
BUILD ?= build
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=

.PHONY: all deps configure build run test bench fuzz clean

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

# libFuzzer harnesses (docs/robustness.md): clang build in $(FUZZ_BUILD), each harness for
# FUZZ_SECONDS; crashes land in $(FUZZ_BUILD)/fuzz-artifacts/<harness>/ and fail the target.
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 60
fuzz:
	@tools/install_deps.sh clang libclang-rt-14-dev   # libFuzzer and the sanitizer runtimes
	CC=clang CXX=clang++ cmake -S . -B $(FUZZ_BUILD) -DCMAKE_BUILD_TYPE=Release -DEDGEPART_FUZZ=ON \
	  -DEDGEPART_BUILD_TESTS=OFF -DEDGEPART_BUILD_BENCH=OFF
	cmake --build $(FUZZ_BUILD) -j $(JOBS) --target fuzzers
	FUZZ_SECONDS=$(FUZZ_SECONDS) fuzz/run.sh $(FUZZ_BUILD)

clean:
	rm -rf $(BUILD)
