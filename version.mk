# SPDX-License-Identifier: GPL-2.0
#
# The version of ctnr is written in one place, the file VERSION next to
# this one ("MAJOR.MINOR.PATCH").  The Makefiles of the tree, lib/, ctl/
# and selftests/ include this fragment with TOP set to the top directory;
# kmod/Kbuild reads the file itself.  Derived from it at build time:
#   include/ctnr/libctnr_version.h  LIBCTNR_VERSION{,_MAJOR,_MINOR,_PATCH}
#                                   (generated, not committed)
#   libctnr.so.MAJOR                the SONAME; the file is libctnr.so.VERSION
#   libctnr.pc                      Version:
#   MODULE_VERSION() of ctnr.ko, ctnrctl --version, the man pages' headers
# CTNR_DATE, the date in the man pages, is SOURCE_DATE_EPOCH's when it is
# set (reproducible builds), else the last commit's, else today's.

CTNR_VERSION := $(shell cat $(TOP)/VERSION 2>/dev/null)
ifeq ($(shell echo '$(CTNR_VERSION)' | grep -xE '[0-9]+\.[0-9]+\.[0-9]+'),)
$(error $(TOP)/VERSION must hold MAJOR.MINOR.PATCH, not '$(CTNR_VERSION)')
endif
ctnr_version_words := $(subst ., ,$(CTNR_VERSION))
CTNR_VERSION_MAJOR := $(word 1,$(ctnr_version_words))
CTNR_VERSION_MINOR := $(word 2,$(ctnr_version_words))
CTNR_VERSION_PATCH := $(word 3,$(ctnr_version_words))

ifdef SOURCE_DATE_EPOCH
CTNR_DATE := $(shell date -u -d '@$(SOURCE_DATE_EPOCH)' +%Y-%m-%d)
else
CTNR_DATE := $(shell git -C $(TOP) log -1 --format=%cd --date=format:%Y-%m-%d 2>/dev/null)
endif
ifeq ($(CTNR_DATE),)
CTNR_DATE := $(shell date -u +%Y-%m-%d)
endif

LIBCTNR_SONAME := libctnr.so.$(CTNR_VERSION_MAJOR)
LIBCTNR_REALNAME := libctnr.so.$(CTNR_VERSION)
LIBCTNR_VERSION_H := $(TOP)/include/ctnr/libctnr_version.h

# The rule below must not become the including Makefile's default goal.
ctnr_default_goal := $(.DEFAULT_GOAL)

# Rewritten only when the version changes, so that nothing is rebuilt
# for nothing.
$(LIBCTNR_VERSION_H): $(TOP)/VERSION $(TOP)/version.mk
	@{ echo '/* SPDX-License-Identifier: LGPL-2.1 */'; \
	  echo '/* Generated from VERSION by version.mk: do not edit. */'; \
	  echo '#ifndef LIBCTNR_VERSION_H'; \
	  echo '#define LIBCTNR_VERSION_H'; \
	  echo; \
	  echo '#define LIBCTNR_VERSION		"$(CTNR_VERSION)"'; \
	  echo '#define LIBCTNR_VERSION_MAJOR	$(CTNR_VERSION_MAJOR)'; \
	  echo '#define LIBCTNR_VERSION_MINOR	$(CTNR_VERSION_MINOR)'; \
	  echo '#define LIBCTNR_VERSION_PATCH	$(CTNR_VERSION_PATCH)'; \
	  echo; \
	  echo '#endif /* LIBCTNR_VERSION_H */'; } >$@.tmp
	@if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv -f $@.tmp $@; fi

.DEFAULT_GOAL := $(ctnr_default_goal)
