# Two entry points for a fresh Debian 12 machine (see README.md):
#   make run    installs what is missing, builds, then checks, compiles and queries the Outpost24 example
#   make test   installs what is missing, builds, and runs the whole suite (normal + sanitizer builds,
#               and ThreadSanitizer over the runtime's concurrency tests)
.PHONY: run test setup build build-asan demo test-normal test-asan test-tsan package clean

JOBS ?= $(shell nproc)
BUILD ?= build
ASAN_BUILD ?= build-asan
TSAN_BUILD ?= build-tsan

setup:
	@bash scripts/setup.sh

build: setup
	@cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@ninja -C $(BUILD) -j$(JOBS)

build-asan: setup
	@CC=clang-14 CXX=clang++-14 cmake -S . -B $(ASAN_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g" \
	  -DPRIVET_SANITIZE=ON -DPRIVET_BUILD_FUZZ=ON -DPRIVET_BUILD_BENCH=OFF >/dev/null
	@ninja -C $(ASAN_BUILD) -j$(JOBS)

run: build
	@bash scripts/demo.sh $(BUILD)/compiler/tools/privet/privet

test-normal: build
	@cd $(BUILD) && ctest --output-on-failure -j$(JOBS)

test-asan: build-asan
	@cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1 ctest --output-on-failure -j$(JOBS)

# ThreadSanitizer over the runtime's concurrency tests (readers deciding while the policy is hot
# reloaded): only the runtime and that test are compiled, so it takes seconds, not a second build.
TSAN_FLAGS = -std=c++17 -O1 -g -fsanitize=thread -fno-omit-frame-pointer -pthread \
  -Iruntime/include -Itests/unit/Runtime
test-tsan: setup
	@mkdir -p $(TSAN_BUILD)
	@clang++-14 $(TSAN_FLAGS) runtime/lib/*.cpp tests/unit/Runtime/ConcurrencyTest.cpp \
	  -lgtest_main -lgtest -o $(TSAN_BUILD)/ConcurrencyTests
	@TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 $(TSAN_BUILD)/ConcurrencyTests

test: test-normal test-asan test-tsan

# A .deb of the tool, runtime, headers, CMake/pkg-config files and stdlib, in $(BUILD)/package.
package: build
	@cd $(BUILD) && cpack -G DEB

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(TSAN_BUILD)
