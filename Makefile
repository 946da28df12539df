# SPDX-License-Identifier: GPL-2.0
#
# ctnr: top-level Makefile.
#
#   make              build kmod/ctnr.ko, lib/, ctl/ and selftests/
#   make W=1          the same, with the kernel build's extra warnings
#   make check        make deps if needed, regen-check, make unit, build,
#                     run all selftests in a VM; the last line printed is
#                     "N passed, M failed"
#   make check KERNEL=debug
#                     the same on a sanitizer kernel (KASAN, kmemleak,
#                     lockdep, UBSAN, ...) built once per machine from
#                     linux-source-6.1 by scripts/debugkernel.sh (~/.cache);
#                     any sanitizer report fails the run
#   make demo         make deps if needed, build, scripted ctnrctl session in a VM
#   make bench        make deps if needed, build, run selftests/bench in a VM
#   make shell        make deps if needed, build, interactive VM shell with
#                     the module loaded and ctnrctl on PATH
#   make deps         install what a fresh Debian bookworm machine lacks
#   make checkpatch   checkpatch.pl on the module sources
#   make static       sparse (C=2) and W=1 on the module, cppcheck on lib/
#                     and ctl/; any warning fails (also run by make check)
#   make install-udev install udev/60-ctnrloop.rules (UDEVDIR, DESTDIR)
#   make unit         the host-side unit tests, no root, no VM: regen-test,
#                     the module's rule code (selftests/devrules) and
#                     ctnrctl against a mock libctnr (selftests/cli);
#                     "unit: N passed, M failed" (make check runs it first,
#                     after regen-check)
#   make regen        regenerate the genl part of uapi/linux/ctnr.h and
#                     kmod/genl-gen.[ch] from Documentation/netlink/specs/
#                     ctnr.yaml with the kernel's ynl-gen (scripts/ynl.sh;
#                     fetched once from Debian's linux-source-6.12 into
#                     ~/.cache/ctnr/ynl)
#   make regen-check  fail, naming the file, when those are not what the
#                     spec gives, or the spec is not valid genetlink-c
#                     (the first step of make check)
#   make regen-test   prove that regen-check fails when it must
#   make clean
#
# Variables (all optional):
#   KDIR     kernel build tree (default: /usr/src/linux-headers-$(KVER))
#   KVER     guest kernel version (default: the newest /boot/vmlinuz-*-amd64
#            with headers installed; never the host's `uname -r`)
#   VMLINUZ  kernel image the VM boots (default: /boot/vmlinuz-$(KVER))
#   KREL     test on the kernel of a newer Debian release instead (trixie,
#            sid): the module is built in a debootstrap chroot of that
#            release (scripts/krel.sh) and the VM boots its kernel;
#            e.g. make check KREL=trixie
#   KERNEL   debug: build the module against, and boot, the debug kernel
#            (module: build/kernels/debug/ctnr.ko); also for demo, shell
#   LINUX_SOURCE_TAR  where the kselftest harness, checkpatch and the debug
#                     kernel come from
#   CTNR_TESTS        run only these selftests (make check CTNR_TESTS="a b")
#   CTNR_TEST_TIMEOUT seconds per selftest program (default 300)
#   CTNR_FUZZ_SECONDS, CTNR_FUZZ_OPS, CTNR_FUZZ_SEED  selftests/fuzz: run time in
#                     all, ops per identity, seed (Documentation/testing.rst)
#   CTNR_BENCHES      make bench: only these (devaccess kmsg loop procview)
#   VM_TIMEOUT, VM_CPUS, VM_MEMORY, VM_KVM, VM_APPEND   see scripts/vm.sh

# What the user set explicitly is handed on to scripts/vm.sh; vm.sh works
# the rest out itself, after `make deps` may have installed a kernel.
vm_env := $(strip $(foreach v,KDIR KVER VMLINUZ KREL KERNEL CTNR_KO VM_TIMEOUT VM_CPUS VM_APPEND \
	VM_MEMORY VM_KVM CTNR_TESTS CTNR_TEST_TIMEOUT CTNR_SYSRQ_ALL \
	CTNR_STRESS_SECONDS CTNR_STRESS_ROUNDS CTNR_STRESS_SEED \
	CTNR_FUZZ_SECONDS CTNR_FUZZ_OPS CTNR_FUZZ_SEED CTNR_BENCHES, \
	$(if $(filter command line environment,$(origin $(v))),$(v)='$($(v))')))

ifdef KDIR
KVER ?= $(patsubst linux-headers-%,%,$(notdir $(or $(realpath $(KDIR)),$(abspath $(KDIR)))))
else
ifndef KVER
KVER := $(shell scripts/kver.sh)
endif
KDIR := /usr/src/linux-headers-$(KVER)
endif

LINUX_SOURCE_TAR ?= /usr/src/linux-source-6.1.tar.xz

# VERSION is the one place the version is written (version.mk).
TOP := $(CURDIR)
include version.mk

BUILD := build
KSFT_STAMP := $(BUILD)/.ksft-extracted
CHECKPATCH := $(BUILD)/scripts/checkpatch.pl
CHECKPATCH_FLAGS ?= --no-tree --terse
CHECKPATCH_FILES = $(filter-out %.mod.c,$(wildcard kmod/*.[ch]))

.PHONY: all module lib ctl selftests ksft checkpatch static static-kmod \
	static-user deps check demo shell unit regen regen-check regen-test \
	vm-check vm-demo vm-shell vm-bench bench clean help kver install-udev

all: module lib ctl selftests

ifneq ($(filter-out debug,$(KERNEL)),)
$(error KERNEL='$(KERNEL)': the only value is KERNEL=debug)
endif

ifdef KREL
module:
	scripts/krel.sh build $(KREL) $(if $(W),W=$(W))
else ifeq ($(KERNEL),debug)
module:
	@scripts/debugkernel.sh build >/dev/null
	@scripts/debugkernel.sh module $(if $(W),W=$(W))
else
module:
	@test -d "$(KDIR)" || { \
		echo "KDIR='$(KDIR)' does not exist: run 'make deps' or set KDIR=" >&2; \
		exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR) $(if $(W),W=$(W)) modules
endif

lib:
	$(MAKE) -C lib

ctl: lib
	$(MAKE) -C ctl

selftests: lib ksft
	$(MAKE) -C selftests

# Third-party files from Debian's linux-source (kselftest harness,
# checkpatch): extracted once into build/, never committed.
ksft: $(KSFT_STAMP)

$(KSFT_STAMP): $(LINUX_SOURCE_TAR) scripts/extract-ksft.sh
	@scripts/extract-ksft.sh $(LINUX_SOURCE_TAR) $(BUILD)

$(BUILD)/ksft/kselftest_harness.h $(BUILD)/ksft/kselftest.h $(CHECKPATCH): $(KSFT_STAMP)
	@test -f $@

$(LINUX_SOURCE_TAR):
	@echo "$@ is missing: run 'make deps' (package linux-source-6.1)" >&2
	@exit 1

unit: lib ksft regen-test
	@$(MAKE) --no-print-directory -C selftests unit

# The generic netlink ABI is made from the YAML spec by the kernel's
# ynl-gen (scripts/ynl.sh explains where it comes from); only its output is
# committed.
regen:
	@scripts/ynl.sh regen

regen-check:
	@scripts/ynl.sh check

regen-test:
	@scripts/ynl-test.sh

checkpatch: $(CHECKPATCH)
	$(CHECKPATCH) $(CHECKPATCH_FLAGS) -f $(CHECKPATCH_FILES)

# Static checks.  The module is compiled from a copy in build/static, with
# sparse on every file and the W=1 warnings, against the default kernel's
# headers: kmod/'s own objects are left alone.  cppcheck: the warning,
# portability and performance classes (its style class argues with the
# kernel style).  Any warning fails; together well under a minute.
STATIC := $(BUILD)/static
CPPCHECK_FLAGS ?= --quiet --enable=warning,portability,performance \
	--std=c11 --inline-suppr --error-exitcode=1

static: static-kmod static-user

static-kmod:
	@test -d "$(KDIR)" || { echo "static: no KDIR '$(KDIR)': run 'make deps'" >&2; exit 1; }
	@rm -rf $(STATIC) && mkdir -p $(STATIC)/kmod && \
		cp Kbuild VERSION $(STATIC)/ && cp -r uapi $(STATIC)/ && \
		cp kmod/Kbuild kmod/*.[ch] $(STATIC)/kmod/ && rm -f $(STATIC)/kmod/*.mod.c
	@echo "static: sparse and W=1 on kmod/ against $(KVER)"
	@$(MAKE) -C $(KDIR) M=$(CURDIR)/$(STATIC) C=2 W=1 modules >$(STATIC)/build.log 2>&1 || \
		{ cat $(STATIC)/build.log; echo "static: the module does not build"; exit 1; }
	@if grep -E 'warning:|error:' $(STATIC)/build.log; then \
		echo "static: kmod/ is not sparse and W=1 clean"; exit 1; fi

static-user: $(LIBCTNR_VERSION_H)
	@echo "static: cppcheck on lib/ and ctl/"
	@cppcheck $(CPPCHECK_FLAGS) -I uapi -I include -I lib lib ctl || \
		{ echo "static: cppcheck found the above in lib/ or ctl/"; exit 1; }

deps:
	@scripts/deps.sh

# The heavy targets re-enter make after `deps`, so that KDIR/KVER are
# worked out again once the kernel packages are surely installed.
check demo shell bench:
	@scripts/deps.sh --check >/dev/null || scripts/deps.sh
	@if [ $@ = check ]; then $(MAKE) --no-print-directory regen-check || { \
		echo "check: the generated genl ABI is not what the spec gives (make regen)"; \
		echo "0 passed, 1 failed"; exit 1; }; fi
	@if [ $@ = check ]; then $(MAKE) --no-print-directory unit || { \
		echo "check: the unit tests failed"; \
		echo "0 passed, 1 failed"; exit 1; }; fi
	@$(MAKE) --no-print-directory all || { \
		echo "$@: the build failed"; \
		if [ $@ = check ]; then echo "0 passed, 1 failed"; fi; \
		exit 1; }
	@if [ $@ = check ]; then $(MAKE) --no-print-directory static || { \
		echo "check: the static checks failed"; \
		echo "0 passed, 1 failed"; exit 1; }; fi
	@$(vm_env) scripts/vm.sh $@

# Only the VM part, on an already built tree.
vm-check vm-demo vm-shell vm-bench:
	@$(vm_env) scripts/vm.sh $(patsubst vm-%,%,$@)

kver:
	@echo "KVER=$(KVER) KDIR=$(KDIR)"

# Keeps blkid, udisks and the other probers off ctnrloop devices.
UDEVDIR ?= /usr/lib/udev/rules.d
install-udev:
	install -D -m 0644 udev/60-ctnrloop.rules $(DESTDIR)$(UDEVDIR)/60-ctnrloop.rules

clean:
	@if test -d "$(KDIR)"; then $(MAKE) -C $(KDIR) M=$(CURDIR) clean; fi
	-@test ! -f lib/Makefile || $(MAKE) -C lib clean
	-@test ! -f ctl/Makefile || $(MAKE) -C ctl clean
	-@$(MAKE) -C selftests clean
	rm -rf $(BUILD)

help:
	@sed -n '3,/^$$/s/^# \{0,1\}//p' Makefile
