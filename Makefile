# Everything a fresh Debian 12 machine needs: `make run` and `make test` install the missing
# packages (apt-get), configure, build (Release) and run. See README.md.
BUILD ?= build
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=

.PHONY: all deps configure build run test test-sanitized bench fuzz clean

all: build

deps:
	@tools/install_deps.sh

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS)

configure: deps $(BUILD)/CMakeCache.txt

build: configure
	cmake --build $(BUILD) -j $(JOBS)

# Builds only the CLI it runs (not the tests, benchmarks or the Python module).
run: configure
	cmake --build $(BUILD) -j $(JOBS) --target edgepart
	./$(BUILD)/edgepart simulate scenarios/default.json --strategy all --format table

# The whole suite twice: the Release build (g++), then test-sanitized below.
test: build
	@tools/install_deps.sh chromium python3-torch   # HTML report test: headless Chromium; tools.profile_torch: PyTorch
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)
	@$(MAKE) --no-print-directory test-sanitized

bench: build
	./$(BUILD)/bench/edgepart_bench --benchmark_counters_tabular=true

# One clang build with AddressSanitizer + UndefinedBehaviorSanitizer (docs/robustness.md) holds
# both the tests and the libFuzzer harnesses. test-sanitized runs every unit, CLI and golden test
# in it, then each harness for FUZZ_SMOKE_SECONDS, FUZZ_JOBS at a time.
SAN_BUILD ?= build-asan
FUZZ_SMOKE_SECONDS ?= 60
FUZZ_JOBS ?= $(JOBS)

# Configured only when no configure has succeeded yet (a Makefile exists); clang is installed first.
SAN_CONFIGURE = [ -f $(1)/Makefile ] || CC=clang CXX=clang++ cmake -S . -B $(1) -DCMAKE_BUILD_TYPE=Release \
  -DEDGEPART_FUZZ=ON -DEDGEPART_BUILD_BENCH=OFF

test-sanitized: deps
	@tools/install_deps.sh chromium clang libclang-rt-14-dev   # libFuzzer and the sanitizer runtimes
	$(call SAN_CONFIGURE,$(SAN_BUILD))
	cmake --build $(SAN_BUILD) -j $(JOBS)
	ctest --test-dir $(SAN_BUILD) --output-on-failure -j $(JOBS)
	FUZZ_SECONDS=$(FUZZ_SMOKE_SECONDS) FUZZ_JOBS=$(FUZZ_JOBS) fuzz/run.sh $(SAN_BUILD)

# The harnesses alone, each for FUZZ_SECONDS (the acceptance run: FUZZ_SECONDS=1800); crashes land
# in $(FUZZ_BUILD)/fuzz-artifacts/<harness>/ and fail the target.
FUZZ_BUILD ?= $(SAN_BUILD)
FUZZ_SECONDS ?= 60
fuzz: deps
	@tools/install_deps.sh clang libclang-rt-14-dev
	$(call SAN_CONFIGURE,$(FUZZ_BUILD))
	cmake --build $(FUZZ_BUILD) -j $(JOBS) --target fuzzers
	FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_JOBS=$(FUZZ_JOBS) fuzz/run.sh $(FUZZ_BUILD)

clean:
	rm -rf $(BUILD) $(SAN_BUILD)
