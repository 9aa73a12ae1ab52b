# Two entry points for a fresh Debian 12 machine (see README.md):
#   make run    installs what is missing, builds, then checks, compiles and queries the Outpost24 example
#   make test   installs what is missing, builds, and runs the whole suite (normal + sanitizer builds,
#               and ThreadSanitizer over the runtime's and the server's concurrency tests)
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

# ThreadSanitizer over the concurrency tests: the runtime's (readers deciding while the policy
# is hot reloaded) and the server's (clients deciding over HTTP while the artifact is replaced and
# SIGHUP reloads it, the decision log and /metrics running). Only the runtime, the server library
# and the two tests are compiled, so it takes a minute, not a third build. Asio is header-only,
# so the whole transport is instrumented too and needs no suppressions.
TSAN_FLAGS = -std=c++17 -O1 -g -fsanitize=thread -fno-omit-frame-pointer -pthread \
  -Iruntime/include -Iruntime/serve/include -Iruntime/serve/lib -Iruntime/verify/include \
  -Itests/unit/Runtime \
  -DASIO_STANDALONE -DASIO_NO_DEPRECATED
TSAN_OPTS = TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1
test-tsan: setup
	@mkdir -p $(TSAN_BUILD)
	@clang++-14 $(TSAN_FLAGS) runtime/lib/*.cpp tests/unit/Runtime/ConcurrencyTest.cpp \
	  -lgtest_main -lgtest -o $(TSAN_BUILD)/ConcurrencyTests
	@$(TSAN_OPTS) $(TSAN_BUILD)/ConcurrencyTests
	@clang++-14 $(TSAN_FLAGS) runtime/lib/*.cpp runtime/serve/lib/*.cpp runtime/verify/lib/*.cpp \
	  tests/unit/Serve/ServeConcurrencyTest.cpp $$(pkg-config --cflags --libs libsodium) \
	  -lgtest_main -lgtest -o $(TSAN_BUILD)/ServeConcurrencyTests
	@$(TSAN_OPTS) $(TSAN_BUILD)/ServeConcurrencyTests

test: test-normal test-asan test-tsan

# A .deb of the tool, runtime, headers, CMake/pkg-config files and stdlib, in $(BUILD)/package.
package: build
	@cd $(BUILD) && cpack -G DEB

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(TSAN_BUILD)
