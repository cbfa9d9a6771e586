# medic — the two commands a newcomer needs are `make run` and `make test`.
# Both work from nothing on Debian 12 as root: missing packages are installed,
# the build is configured, a private Docker engine is started when needed.

SHELL := /bin/bash
BUILD ?= build
ASAN_BUILD ?= build-asan
SANDBOX_HOST := $(shell scripts/sandbox-engine host)
# Tests and `make run` use DOCKER_HOST when it is set, otherwise the sandbox engine.
TEST_DOCKER_HOST := $(if $(DOCKER_HOST),$(DOCKER_HOST),$(SANDBOX_HOST))
# ccache hits across clones of the repo (CI builds in a fresh clone).
export CCACHE_BASEDIR := $(CURDIR)
export CCACHE_NOHASHDIR := 1
CMAKE_FLAGS ?=

.PHONY: help check e2e-check e2e-and-asan all deps configure build ui image install install-check test test-stages unit unit-build asan asan-build e2e e2e-build browser engine engine-stop images format format-check bench run clean

all: build

help:
	@echo 'make run          build medic and run it against the local engine (or the sandbox engine)'
	@echo 'make test         everything CI runs: format check, unit tests, unit tests under ASan+UBSan,'
	@echo '                  install check, end-to-end tests, browser test (`make test-stages` lists them)'
	@echo 'make check        the loop while working: format check and unit tests, and the end-to-end'
	@echo "                  tests matching E2E, a gtest filter: make check E2E='Healing*'"
	@echo 'make unit         the unit tests;  make asan: the same under AddressSanitizer + UBSan'
	@echo 'make e2e          the end-to-end tests on the sandbox engine (or DOCKER_HOST), 3 processes'
	@echo '                  side by side (E2E_SHARDS=N to change), then the whole-engine ones alone'
	@echo 'make e2e-and-asan the sanitizer build beside the end-to-end tests (as make test does), then make asan'
	@echo 'make browser      the web UI in headless Chromium'
	@echo 'make bench        the benchmarks; bench/build-time [REF [REF2]] times a cold build by hand'
	@echo 'make image        medic/medic:latest;  make install: the binary, docs and systemd unit'
	@echo 'make format       clang-format every source'

deps:
	@scripts/install-deps

$(BUILD)/build.ninja: CMakeLists.txt | deps
	cmake -S . -B $(BUILD) -G Ninja $(CMAKE_FLAGS)

configure: deps $(BUILD)/build.ninja

# The web UI (ui/), bundled by esbuild from npm packages and embedded in the binary.
UI_SOURCES := $(shell git ls-files ui 2>/dev/null)
ui/dist/index.html: $(UI_SOURCES) | deps
	cd ui && npm ci --no-audit --no-fund --loglevel=error && npm run build
	@touch $@

ui: ui/dist/index.html

build: configure ui
	ninja -C $(BUILD) medic

format:
	clang-format -i $$(git ls-files 'src/*.cpp' 'src/*.hpp' 'tests/*.cpp' 'tests/*.hpp' 'bench/*.cpp')

format-check: deps
	@clang-format --dry-run --Werror $$(git ls-files 'src/*.cpp' 'src/*.hpp' 'tests/*.cpp' 'tests/*.hpp' 'bench/*.cpp') \
	  && echo "format-check: clean"

unit-build: configure
	ninja -C $(BUILD) medic-unit-tests

unit: unit-build
	$(BUILD)/medic-unit-tests --gtest_brief=1

# The unit tests again under AddressSanitizer and UndefinedBehaviorSanitizer.
asan-build: deps
	@test -f $(ASAN_BUILD)/build.ninja || cmake -S . -B $(ASAN_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Debug \
	  -DMEDIC_SANITIZE=ON -DMEDIC_BUILD_E2E=OFF -DMEDIC_BUILD_BENCH=OFF
	ninja -C $(ASAN_BUILD) medic-unit-tests

# Two processes side by side (googletest's sharding): the sanitizers make the tests CPU-bound.
asan: asan-build
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  scripts/run-sharded 2 $(ASAN_BUILD)/test-logs $(ASAN_BUILD)/medic-unit-tests --gtest_brief=1

engine: deps
	@if [ -z "$(DOCKER_HOST)" ]; then scripts/sandbox-engine start && echo "sandbox engine: $(SANDBOX_HOST)"; fi

engine-stop:
	scripts/sandbox-engine stop

images: engine
	DOCKER_HOST=$(TEST_DOCKER_HOST) scripts/build-test-images

# medic's own image, FROM scratch, built offline from the build tree: medic/medic:latest.
image: build engine
	DOCKER_HOST=$(TEST_DOCKER_HOST) BUILD=$(BUILD) scripts/build-medic-image

e2e-build: configure ui
	ninja -C $(BUILD) medic medic-e2e-tests

# Leftovers of an aborted run would be watched (and healed) by the next one.
define remove_e2e_leftovers
	@ids=$$(DOCKER_HOST=$(TEST_DOCKER_HOST) docker ps -aq --filter label=medic.e2e=true; \
	        DOCKER_HOST=$(TEST_DOCKER_HOST) docker ps -aq --filter name=medic-e2e-compose-); \
	  if [ -n "$$ids" ]; then DOCKER_HOST=$(TEST_DOCKER_HOST) docker rm -f -v $$ids >/dev/null; fi; \
	  volumes=$$(DOCKER_HOST=$(TEST_DOCKER_HOST) docker volume ls -q --filter name=medic-e2e-compose-); \
	  if [ -n "$$volumes" ]; then DOCKER_HOST=$(TEST_DOCKER_HOST) docker volume rm $$volumes >/dev/null; fi
endef

# The end-to-end tests run as E2E_SHARDS processes side by side on one engine: each
# test's containers carry its own medic.e2e.run label, and every medic a test starts
# looks only at that label (watch_label). The tests in E2E_ALONE run after, alone:
# cleanup_disk_space prunes every unused network on the engine, and the isolated
# engine's tests share one second dockerd that each of them restarts.
E2E_SHARDS ?= 3
E2E_ALONE := HealingTest.CleanupDiskSpace*:IsolatedEngineTest.*
e2e: e2e-build images image
	$(remove_e2e_leftovers)
	DOCKER_HOST=$(TEST_DOCKER_HOST) scripts/run-sharded $(E2E_SHARDS) $(BUILD)/e2e-logs \
	  $(BUILD)/medic-e2e-tests --gtest_brief=1 --gtest_filter='-$(E2E_ALONE)'
	DOCKER_HOST=$(TEST_DOCKER_HOST) $(BUILD)/medic-e2e-tests --gtest_brief=1 --gtest_filter='$(E2E_ALONE)'

# The loop while working: the format check, the unit tests and, when E2E names a
# gtest filter, the end-to-end tests it matches (`make check E2E='Healing*:Api.*'`).
# The engine is started when it does not answer; the test images and medic's image
# are built only when their sources (or the medic binary) changed.
# A one-file change compiles on one core: the format check runs on the other meanwhile,
# and the unit tests run as two processes.
E2E ?=
check: configure
	@$(MAKE) --no-print-directory format-check > $(BUILD)/format-check.log 2>&1 & format=$$!; \
	  ninja -C $(BUILD) medic-unit-tests; built=$$?; \
	  wait $$format; formatted=$$?; cat $(BUILD)/format-check.log; \
	  [ $$built -eq 0 ] && [ $$formatted -eq 0 ]
	scripts/run-sharded 2 $(BUILD)/test-logs $(BUILD)/medic-unit-tests --gtest_brief=1
	@if [ -n "$(E2E)" ]; then $(MAKE) --no-print-directory e2e-check; fi

e2e-check: e2e-build images
	@if ! DOCKER_HOST=$(TEST_DOCKER_HOST) docker image inspect medic/medic:latest >/dev/null 2>&1 \
	    || [ $(BUILD)/medic -nt $(BUILD)/medic-image.stamp ]; then \
	  DOCKER_HOST=$(TEST_DOCKER_HOST) BUILD=$(BUILD) scripts/build-medic-image && touch $(BUILD)/medic-image.stamp; \
	fi
	$(remove_e2e_leftovers)
	DOCKER_HOST=$(TEST_DOCKER_HOST) $(BUILD)/medic-e2e-tests --gtest_brief=1 --gtest_filter='$(E2E)'

# The web UI in headless Chromium (playwright-core): log in, a healed Redis and its
# incident timeline, live log lines; screenshots in $(BUILD)/browser-artifacts.
browser: configure ui images
	ninja -C $(BUILD) medic
	cd ui && npm test
	DOCKER_HOST=$(TEST_DOCKER_HOST) MEDIC_BINARY=$(BUILD)/medic ARTIFACTS=$(BUILD)/browser-artifacts tests/browser/run

# Puts medic where a host install expects it: the binary (rules, playbooks and UI are
# embedded in it; copies go to share/ for reading), the docs, the systemd unit and,
# when there is none yet, an example config. DESTDIR for packaging.
PREFIX ?= /usr/local
SYSCONFDIR ?= /etc
install: build
	install -D -m 0755 $(BUILD)/medic $(DESTDIR)$(PREFIX)/bin/medic
	install -d $(DESTDIR)$(PREFIX)/share/medic/rules $(DESTDIR)$(PREFIX)/share/medic/playbooks $(DESTDIR)$(PREFIX)/share/medic/ui
	install -m 0644 rules/*.yaml $(DESTDIR)$(PREFIX)/share/medic/rules/
	install -m 0644 playbooks/*.yaml $(DESTDIR)$(PREFIX)/share/medic/playbooks/
	cp -r ui/dist/. $(DESTDIR)$(PREFIX)/share/medic/ui/
	install -D -m 0644 README.md $(DESTDIR)$(PREFIX)/share/doc/medic/README.md
	install -D -m 0644 docs/configuration.md $(DESTDIR)$(PREFIX)/share/doc/medic/configuration.md
	install -d $(DESTDIR)$(SYSCONFDIR)/systemd/system
	sed 's|/usr/local|$(PREFIX)|g; s|/etc/medic|$(SYSCONFDIR)/medic|g' deploy/medic.service 	  > $(DESTDIR)$(SYSCONFDIR)/systemd/system/medic.service
	test -e $(DESTDIR)$(SYSCONFDIR)/medic/medic.yaml || 	  install -D -m 0644 deploy/medic.yaml $(DESTDIR)$(SYSCONFDIR)/medic/medic.yaml
	@echo "installed; on a systemd host: systemctl daemon-reload && systemctl enable --now medic"

# An install into a scratch folder: every file lands, the installed binary runs and
# accepts the example config, and systemd accepts the unit.
install-check: build
	@root=$$(mktemp -d) && trap 'rm -rf "$$root"' EXIT && 	  $(MAKE) --no-print-directory install DESTDIR="$$root" >/dev/null && 	  for file in bin/medic share/medic/rules/ports.yaml share/medic/ui/index.html share/doc/medic/configuration.md; do 	    test -f "$$root$(PREFIX)/$$file" || { echo "install-check: $(PREFIX)/$$file is missing"; exit 1; }; done && 	  "$$root$(PREFIX)/bin/medic" config check "$$root$(SYSCONFDIR)/medic/medic.yaml" --file-only && 	  if command -v systemd-analyze >/dev/null; then 	    sed "s|ExecStart=$(PREFIX)|ExecStart=$$root$(PREFIX)|; s|ExecReload=$(PREFIX)|ExecReload=$$root$(PREFIX)|" 	      "$$root$(SYSCONFDIR)/systemd/system/medic.service" > "$$root/medic.service" && 	    systemd-analyze verify "$$root/medic.service"; fi && 	  echo "install-check: passed"

# The sanitizer build beside the end-to-end tests. Those mostly wait on containers
# (images built, PostgreSQL initialising, medic healing), so the compiler, at the lowest
# CPU priority, takes the time they leave idle and none they need. The sanitized unit
# tests run after, alone: they are CPU-bound, and some wait on a deadline.
e2e-and-asan: e2e-build
	@mkdir -p $(ASAN_BUILD); \
	  nice -n 19 $(MAKE) --no-print-directory asan-build > $(ASAN_BUILD)/beside-e2e.log 2>&1 & asan=$$!; \
	  $(MAKE) --no-print-directory e2e; e2e=$$?; \
	  wait $$asan; built=$$?; \
	  echo "=== make asan-build, beside the end-to-end tests ($(ASAN_BUILD)/beside-e2e.log)"; \
	  if [ $$built -eq 0 ]; then tail -n 2 $(ASAN_BUILD)/beside-e2e.log; else cat $(ASAN_BUILD)/beside-e2e.log; fi; \
	  [ $$e2e -eq 0 ] && [ $$built -eq 0 ]
	$(MAKE) --no-print-directory asan

# The stages of `make test`, in order; .ci/run runs them one by one and prints the
# wall time of each (`make test-stages` lists them).
TEST_STAGES := format-check unit-build unit install-check e2e-build e2e-and-asan browser

test: $(TEST_STAGES)
	@echo "make test: all suites passed"

test-stages:
	@echo $(TEST_STAGES)

bench: configure ui images
	ninja -C $(BUILD) medic medic-bench medic-bench-tool
	DOCKER_HOST=$(TEST_DOCKER_HOST) BUILD=$(BUILD) bench/run

# Builds medic and runs it against the local engine; when none answers, starts
# the sandbox engine first and says so. On the sandbox engine (never on a real
# one) it also starts the demo services, three broken containers for medic to heal.
run: build
	@host="$(DOCKER_HOST)"; \
	if [ -z "$$host" ]; then \
	  if curl -sf --max-time 2 --unix-socket /var/run/docker.sock http://localhost/_ping >/dev/null 2>&1; then \
	    host=unix:///var/run/docker.sock; \
	  else \
	    echo "make run: no Docker engine answers at /var/run/docker.sock; starting the sandbox engine ($(SANDBOX_HOST))"; \
	    scripts/sandbox-engine start; host=$(SANDBOX_HOST); \
	  fi; \
	fi; \
	if [ "$$host" = "$(SANDBOX_HOST)" ]; then \
	  DOCKER_HOST="$$host" scripts/build-test-images && DOCKER_HOST="$$host" scripts/demo-services start || exit 1; \
	  echo "make run: demo services: demo-redis (root-owned /data: Permission denied), demo-postgres (stale postmaster.pid), demo-web (unhealthy health check); watch medic heal them (scripts/demo-services status|stop)"; \
	fi; \
	exec $(BUILD)/medic --docker-host "$$host" run --data-dir ./var

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
