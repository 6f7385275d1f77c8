#!/usr/bin/env bash
# Installs everything Canh needs to build, test and run on Debian 12 (bookworm).
# Idempotent: packages already present are left alone; safe to run again.
#   deploy/install-deps.sh            build + run + test dependencies
#   deploy/install-deps.sh --runtime  only what a deployed sensor/server needs
#   deploy/install-deps.sh --browser  also Chromium + playwright-core for browser tests
set -euo pipefail

mode=all
browser=0
for a in "$@"; do
  case "$a" in
    --runtime) mode=runtime ;;
    --browser) browser=1 ;;
    -h|--help) sed -n '2,6p' "$0"; exit 0 ;;
    *) echo "install-deps.sh: unknown option $a" >&2; exit 2 ;;
  esac
done

if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then exec sudo -E "$0" "$@"; fi
  echo "install-deps.sh: run as root (apt-get needs it)" >&2; exit 1
fi

# Hyperscan needs x86-64 with SSSE3; Vectorscan is its API-compatible fork for other CPUs.
case "$(dpkg --print-architecture)" in
  amd64) hs=libhyperscan-dev ;;
  *) hs=libvectorscan-dev ;;
esac

runtime=(
  libpcap0.8 "${hs%-dev}5" librocksdb7.8 libyaml-cpp0.7 libsodium23 libssl3 libpcre2-8-0 zlib1g
  libboost-json1.81.0 libboost-url1.81.0 ca-certificates
)
# libhyperscan5 / libvectorscan5 are the runtime package names.
build=(
  build-essential g++ cmake ninja-build pkg-config git ca-certificates
  libpcap-dev "$hs" librocksdb-dev libyaml-cpp-dev libsodium-dev libssl-dev libpcre2-dev zlib1g-dev
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  clang libclang-rt-14-dev lld
  python3 python3-yaml wrk procps curl tcpdump ccache
  # The package test (tests/deploy/package_test.sh): dpkg-shlibdeps computes the package's Depends,
  # debootstrap makes the Debian 12 root it installs the package into.
  dpkg-dev debootstrap
)
browser_pkgs=(chromium chromium-driver)
# Node.js drives the browser tests (playwright-core). Debian ships nodejs and npm as two packages;
# a machine that already has npm (e.g. NodeSource's nodejs, which bundles it) keeps what it has.
command -v npm >/dev/null 2>&1 || browser_pkgs+=(nodejs npm)

if [ "$mode" = runtime ]; then want=("${runtime[@]}"); else want=("${build[@]}"); fi
if [ "$browser" = 1 ]; then want+=("${browser_pkgs[@]}"); fi

missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "install-deps.sh: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
else
  echo "install-deps.sh: all ${#want[@]} packages present"
fi

# The console's browser tests drive Debian's chromium with playwright-core from npm.
if [ "$browser" = 1 ]; then
  "$(dirname "$0")/../tests/browser/install.sh"
fi
