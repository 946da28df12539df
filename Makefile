# SPDX-License-Identifier: GPL-2.0
#
# ctnr: top-level Makefile.
#
#   make              build kmod/ctnr.ko, lib/, ctl/ and selftests/
#   make W=1          the same, with the kernel build's extra warnings
#   make check        make deps if needed, build, run all selftests in a VM;
#                     the last line printed is "N passed, M failed"
#   make demo         make deps if needed, build, scripted ctnrctl session in a VM
#   make bench        make deps if needed, build, run selftests/bench in a VM
#   make shell        make deps if needed, build, interactive VM shell with
#                     the module loaded and ctnrctl on PATH
#   make deps         install what a fresh Debian bookworm machine lacks
#   make checkpatch   checkpatch.pl on the module sources
#   make unit         the host-side unit tests (selftests/devrules), no VM
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
#   LINUX_SOURCE_TAR  where the kselftest harness and checkpatch come from
#   CTNR_TESTS        run only these selftests (make check CTNR_TESTS="a b")
#   CTNR_TEST_TIMEOUT seconds per selftest program (default 300)
#   VM_TIMEOUT, VM_CPUS, VM_MEMORY, VM_KVM, VM_APPEND   see scripts/vm.sh

# What the user set explicitly is handed on to scripts/vm.sh; vm.sh works
# the rest out itself, after `make deps` may have installed a kernel.
vm_env := $(strip $(foreach v,KDIR KVER VMLINUZ KREL CTNR_KO VM_TIMEOUT VM_CPUS VM_APPEND \
	VM_MEMORY VM_KVM CTNR_TESTS CTNR_TEST_TIMEOUT CTNR_SYSRQ_ALL, \
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

BUILD := build
KSFT_STAMP := $(BUILD)/.ksft-extracted
CHECKPATCH := $(BUILD)/scripts/checkpatch.pl
CHECKPATCH_FLAGS ?= --no-tree --terse
CHECKPATCH_FILES = $(filter-out %.mod.c,$(wildcard kmod/*.[ch]))

.PHONY: all module lib ctl selftests ksft checkpatch deps check demo shell unit \
	vm-check vm-demo vm-shell vm-bench bench clean help kver

all: module lib ctl selftests

ifdef KREL
module:
	scripts/krel.sh build $(KREL) $(if $(W),W=$(W))
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

unit: ksft
	$(MAKE) -C selftests unit

checkpatch: $(CHECKPATCH)
	$(CHECKPATCH) $(CHECKPATCH_FLAGS) -f $(CHECKPATCH_FILES)

deps:
	@scripts/deps.sh

# The heavy targets re-enter make after `deps`, so that KDIR/KVER are
# worked out again once the kernel packages are surely installed.
check demo shell bench:
	@scripts/deps.sh --check >/dev/null || scripts/deps.sh
	@$(MAKE) --no-print-directory all || { \
		echo "$@: the build failed"; \
		if [ $@ = check ]; then echo "0 passed, 1 failed"; fi; \
		exit 1; }
	@$(vm_env) scripts/vm.sh $@

# Only the VM part, on an already built tree.
vm-check vm-demo vm-shell vm-bench:
	@$(vm_env) scripts/vm.sh $(patsubst vm-%,%,$@)

kver:
	@echo "KVER=$(KVER) KDIR=$(KDIR)"

clean:
	@if test -d "$(KDIR)"; then $(MAKE) -C $(KDIR) M=$(CURDIR) clean; fi
	-@test ! -f lib/Makefile || $(MAKE) -C lib clean
	-@test ! -f ctl/Makefile || $(MAKE) -C ctl clean
	-@$(MAKE) -C selftests clean
	rm -rf $(BUILD)

help:
	@sed -n '3,/^$$/s/^# \{0,1\}//p' Makefile
