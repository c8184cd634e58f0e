# citytwin: the two commands a newcomer needs are `make demo` and `make test`.
# Each installs what is missing (.ci/setup), configures and builds, then runs.

BUILD_DIR ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS ?= $(shell nproc)
HOST ?= 127.0.0.1
PORT ?= 8080
API_PORT ?= 8081
ACCESS ?= data/access/demo.yaml
CITY ?= data/demo.city
RULES ?= data/rules/demo.yaml
# Where the demo keeps its history (journal and HDF5 files, per tenant).
ARCHIVE ?= $(BUILD_DIR)/archive

# The fuzz build (fuzz/README.md): clang, ASan+UBSan, libFuzzer, in its
# own directory; never part of `make test`.
FUZZ_DIR ?= build-fuzz
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?=
# Builds on this machine take turns (shared with other builds).
BUILD_LOCK ?= flock /tmp/citytwin-build.lock

.PHONY: all setup configure build demo cluster-demo test test-all bench soak fuzz clean

all: build

setup:
	./.ci/setup

$(BUILD_DIR)/build.ninja:
	cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE)

configure: setup $(BUILD_DIR)/build.ninja

build: configure
	cmake --build $(BUILD_DIR) -j $(JOBS)

# The demo needs only the command (the tests and benchmarks are built by
# `make test`, `make bench`, `make build`).
demo: configure
	cmake --build $(BUILD_DIR) -j $(JOBS) --target citytwin
	@echo "demo: viewer http://$(HOST):$(PORT)/?token=demo-viewer-secret," \
	  "NGSI-LD API http://$(HOST):$(API_PORT)/ngsi-ld/v1 (demo tokens: data/access/README.md)"
	$(BUILD_DIR)/citytwin serve $(CITY) --host $(HOST) --port $(PORT) \
	  --access $(ACCESS) --api-port $(API_PORT) --rules $(RULES) \
	  --archive $(ARCHIVE) --scenario-runs $(BUILD_DIR)/scenario-runs

# Three nodes of one twin on this machine (data/cluster/demo3.yaml: cluster
# ports 9301-9303), each running two of the six shards and a viewer of the
# whole city; Ctrl-C stops all three. Kill one: the others' badge turns
# red and its backup (the next node of the file) runs its shards until it
# is started again.
CLUSTER_FILE ?= data/cluster/demo3.yaml
cluster-demo: configure
	cmake --build $(BUILD_DIR) -j $(JOBS) --target citytwin
	@echo "cluster-demo: viewers http://$(HOST):8080/ (north), http://$(HOST):8090/ (centre)," \
	  "http://$(HOST):8100/ (south); cluster on /api/status and /metrics of each;" \
	  "kill one with: pkill -9 -f -- '--node centre' (south runs its shards)"
	trap 'kill 0' INT TERM; \
	for node in north:8080 centre:8090 south:8100; do \
	  $(BUILD_DIR)/citytwin serve $(CITY) --host $(HOST) --port $${node#*:} \
	    --cluster $(CLUSTER_FILE) --node $${node%%:*} & \
	done; wait

# The tests need the command and the test program; the benchmark and soak
# programs (a minute and a half of two cores) are built by `make bench`,
# `make soak` and `make build`.
test: configure
	cmake --build $(BUILD_DIR) -j $(JOBS) --target citytwin citytwin_tests
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

# The default suite plus the tests tagged [.slow] (large reference networks).
test-all: test
	$(BUILD_DIR)/tests/citytwin_tests "[.slow]" 

bench: build
	$(BUILD_DIR)/citytwin-bench --output BENCHMARKS.md

# The real server at half capacity for SOAK_MINUTES (feed, viewers, API
# readers, webhooks); with OVERLOAD_MINUTES > 0, then 2x capacity and a
# recovery phase. Report and plot in $(BUILD_DIR)/soak/ (bench/README.md).
# Not part of `make test` or CI.
SOAK_MINUTES ?= 60
OVERLOAD_MINUTES ?= 0
RECOVERY_MINUTES ?= 2
soak: build
	$(BUILD_DIR)/citytwin-soak --minutes $(SOAK_MINUTES) \
	  --overload-minutes $(OVERLOAD_MINUTES) \
	  --recovery-minutes $(RECOVERY_MINUTES) --out $(BUILD_DIR)/soak \
	  --server $(BUILD_DIR)/citytwin --city $(CITY) --access $(ACCESS)

# Every fuzzer for FUZZ_SECONDS, one at a time; a summary table at the end;
# non-zero if any crashed (inputs in $(FUZZ_DIR)/crashes/<target>/).
fuzz:
	./.ci/setup --fuzz
	CC=clang-14 CXX=clang++-14 $(BUILD_LOCK) cmake -S . -B $(FUZZ_DIR) -G Ninja \
	  -DCMAKE_BUILD_TYPE=Debug -DCITYTWIN_ENABLE_FUZZ=ON \
	  -DCITYTWIN_ENABLE_TESTS=OFF -DCITYTWIN_ENABLE_BENCH=OFF
	$(BUILD_LOCK) cmake --build $(FUZZ_DIR) --target fuzzers -j $(JOBS)
	fuzz/seed_corpora.sh $(FUZZ_DIR)
	fuzz/run_fuzzers.sh $(FUZZ_DIR) $(FUZZ_SECONDS) $(FUZZ_TARGETS)

clean:
	rm -rf $(BUILD_DIR)
