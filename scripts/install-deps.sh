#!/usr/bin/env bash
# install-deps.sh -- make sure this Debian 12 machine can build and run pcv6.
#
# Usage: scripts/install-deps.sh [EXTRA-PACKAGE ...]
#
# Always needed: the bare-metal RISC-V compiler, QEMU's RISC-V system
# emulator and /usr/bin/python3 (the test runner). When all three are
# present and every extra package named on the command line is already
# installed (dpkg -s), this prints nothing and exits 0 straight away.
# Otherwise it runs apt-get update and installs only what is missing,
# through sudo when not root. If that is impossible it says which packages
# to install by hand and exits 1.
set -euo pipefail

missing=()

# Required tools, each with the Debian package that provides it.
need_tool() {
  local tool=$1 pkg=$2
  if ! command -v "$tool" >/dev/null 2>&1 && [ ! -x "$tool" ]; then
    missing+=("$pkg")
  fi
}
need_tool riscv64-unknown-elf-gcc gcc-riscv64-unknown-elf
need_tool qemu-system-riscv64 qemu-system-misc
# The Makefile calls the system interpreter by full path, so look there only.
if [ ! -x /usr/bin/python3 ]; then
  missing+=(python3)
fi

# Extra packages asked for by name (benchmark and plotting tools).
for pkg in "$@"; do
  if ! dpkg -s "$pkg" >/dev/null 2>&1; then
    missing+=("$pkg")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "install-deps: installing: ${missing[*]}"

fail() {
  echo "install-deps: could not install the packages above." >&2
  echo "install-deps: as root, run: apt-get update && apt-get install -y ${missing[*]}" >&2
  exit 1
}

if [ "$(id -u)" -eq 0 ]; then
  run=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  run=(sudo -n)
else
  echo "install-deps: not root and sudo is unavailable without a password." >&2
  fail
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-deps: apt-get not found (this script expects Debian 12)." >&2
  fail
fi

export DEBIAN_FRONTEND=noninteractive
"${run[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q || fail
"${run[@]}" env DEBIAN_FRONTEND=noninteractive \
  apt-get install -y -q --no-install-recommends "${missing[@]}" || fail

# Check again: a package name can install without giving us the tool.
still=()
command -v riscv64-unknown-elf-gcc >/dev/null 2>&1 || still+=(gcc-riscv64-unknown-elf)
command -v qemu-system-riscv64 >/dev/null 2>&1 || still+=(qemu-system-misc)
[ -x /usr/bin/python3 ] || still+=(python3)
if [ ${#still[@]} -ne 0 ]; then
  missing=("${still[@]}")
  echo "install-deps: still missing after install: ${still[*]}" >&2
  fail
fi
echo "install-deps: done"
