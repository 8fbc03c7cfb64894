# SPDX-License-Identifier: MIT
# rtshm top-level build. Every product goes under build/ (out of tree).
#
#   make            library, tool, tests and rtshm.ko for every installed kernel
#   make demo       the RTX-style example pair, on the host and in QEMU
#   make check      every test suite: host (POSIX backend) and each guest kernel
#   make kmod [KVER=x.y.z-flavour]   rtshm.ko (default: every installed kernel)
#   make install [PREFIX=/usr/local] [DESTDIR=]   (make uninstall: the same files)
#   make dkms-install                register and build rtshm.ko with DKMS
#   make deb        the Debian packages, into build/deb/ (scripts/build-deb)
#   make bench      benchmarks (QEMU, 6.12 PREEMPT_RT)
#   make soak       long fuzz + SIGKILL run under the debug kernel (not in CI)

PREFIX  ?= /usr/local
DESTDIR ?=
JOBS    ?= 2
BUILD   := build
HOST    := $(BUILD)/host
VERSION := $(shell cat VERSION)

.PHONY: all deps lib kmod check demo bench soak install uninstall dkms-install deb clean

all: lib kmod

deps:
	scripts/install-deps

$(HOST)/CMakeCache.txt:
	cmake -S . -B $(HOST) -DCMAKE_BUILD_TYPE=RelWithDebInfo \
		-DCMAKE_INSTALL_PREFIX=$(PREFIX)

lib: $(HOST)/CMakeCache.txt
	cmake --build $(HOST) -j$(JOBS)

kmod:
	$(MAKE) -C kmod $(if $(KVER),KVER=$(KVER))

check:
	scripts/check

demo:
	scripts/demo

bench:
	scripts/bench

soak:
	scripts/soak

# The prefix is given again at install time (a reconfigure, no rebuild): the
# first configure's prefix must not decide where a later install goes.
install: lib
	cmake -S . -B $(HOST) -DCMAKE_INSTALL_PREFIX=$(PREFIX) >/dev/null
	cmake --build $(HOST) -j$(JOBS)
	DESTDIR=$(DESTDIR) cmake --install $(HOST) --prefix $(PREFIX)
	@if [ -z "$(DESTDIR)" ]; then \
		if command -v systemd-sysusers >/dev/null; then \
			systemd-sysusers $(PREFIX)/lib/sysusers.d/rtshm.conf; \
		else \
			getent group rtshm >/dev/null || groupadd --system rtshm; \
		fi; \
		ldconfig; \
	fi

# Everything install put in place, as install_manifest.txt lists it (without
# DESTDIR: give the same DESTDIR as to install); the rtshm group stays, as a
# package's would.
uninstall:
	@test -f $(HOST)/install_manifest.txt || \
		{ echo "nothing to uninstall: no $(HOST)/install_manifest.txt" >&2; exit 1; }
	xargs -d '\n' -a $(HOST)/install_manifest.txt -I{} rm -f -- "$(DESTDIR){}"

dkms-install:
	scripts/dkms-install $(VERSION)

deb:
	JOBS=$(JOBS) scripts/build-deb

clean:
	rm -rf $(BUILD)
	$(MAKE) -C kmod clean
