#!/usr/bin/env bash
# The Debian package, installed the way an admin would on a fresh Debian 12:
#   1. cpack builds canh_*.deb from the build folder; its Depends name the runtime libraries;
#   2. it is installed with apt into a copy of a Debian 12 root file system (a debootstrap tree):
#      $CANH_ROOTFS_BASE if set, else /work/rootfs-base if present, else one this test makes with
#      debootstrap (minbase, cached in the build folder for the next run);
#   3. in that root: `canh --version` runs; the canh user and its directories exist with the right
#      owners and modes; the shipped configurations pass `canh config check`; the server starts as
#      the canh user on the packaged configuration; the units pass `systemd-analyze verify`;
#      removing the package keeps the data.
# Needs root (chroot, mount) and network access for apt (the runtime libraries); without them it
# is skipped (exit 77) with the reason. The base tree is never modified: the test works on a copy.
set -euo pipefail
build=$(cd "$1" && pwd)
work=$(mktemp -d)
root=$work/root
mounted=
cleanup() {
  if [ -n "$mounted" ]; then umount -l "$root/proc" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; [ -f "$work/log.txt" ] && tail -40 "$work/log.txt" | sed 's/^/  /' >&2; exit 1; }
skip() { echo "SKIP: $*"; exit 77; }

[ "$(id -u)" = 0 ] || skip "needs root (chroot, mount, dpkg in the chroot)"
for tool in cpack dpkg-deb chroot mount; do command -v "$tool" >/dev/null || skip "$tool not installed"; done

# 1. The package.
(cd "$build" && cpack -G DEB -B "$work/pkg" >"$work/log.txt" 2>&1) || fail "cpack failed"
deb=$(ls "$work"/pkg/canh_*.deb 2>/dev/null | head -1)
[ -f "$deb" ] || fail "cpack made no canh_*.deb"
dpkg-deb -f "$deb" Depends >"$work/depends.txt"
for lib in librocksdb libsodium23 libyaml-cpp libpcap0.8 libboost-json passwd; do
  grep -q "$lib" "$work/depends.txt" || fail "Depends lacks $lib: $(cat "$work/depends.txt")"
done
grep -qE 'libhyperscan5|libvectorscan5' "$work/depends.txt" || fail "Depends lacks Hyperscan: $(cat "$work/depends.txt")"
dpkg-deb -c "$deb" >"$work/contents.txt"
for f in ./usr/bin/canh ./usr/lib/systemd/system/canh-server.service ./usr/lib/systemd/system/canh-sensor@.service \
         ./etc/canh/canh.yaml ./etc/canh/server.yaml.example ./etc/default/canh-sensor; do
  grep -q " $f\$" "$work/contents.txt" || fail "the package lacks $f"
done

# 2. A Debian 12 root to install into.
base=${CANH_ROOTFS_BASE:-}
if [ -z "$base" ] && [ -d /work/rootfs-base/etc ]; then base=/work/rootfs-base; fi
if [ -z "$base" ]; then
  base=$build/deploy-rootfs
  if [ ! -f "$base/.complete" ]; then
    command -v debootstrap >/dev/null || skip "no Debian 12 root: set CANH_ROOTFS_BASE or install debootstrap"
    rm -rf "$base"
    echo "package_test: debootstrap bookworm into $base (once; kept for later runs)"
    debootstrap --variant=minbase bookworm "$base" http://deb.debian.org/debian >"$work/log.txt" 2>&1 ||
      skip "debootstrap failed (no network?): $(tail -1 "$work/log.txt")"
    touch "$base/.complete"
  fi
fi
grep -q 'VERSION_ID="12"' "$base/etc/os-release" || fail "$base is not Debian 12"
cp -a "$base" "$root"
cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
mount -t proc proc "$root/proc"
mounted=1
cp "$deb" "$root/tmp/"
in_root() { chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive "$@"; }
in_root apt-get update -q >"$work/log.txt" 2>&1 || skip "apt-get update failed in the chroot (no network?)"
in_root apt-get install -y -q --no-install-recommends "/tmp/$(basename "$deb")" >"$work/log.txt" 2>&1 ||
  fail "apt-get install of the package failed"
grep -q 'the server starts once /etc/canh/server.yaml exists' "$work/log.txt" || fail "postinst did not explain how to start"

# 3. What the package installed.
version=$(in_root canh --version) || fail "canh --version does not run in the chroot"
[[ "$version" =~ ^canh\ [0-9]+\.[0-9]+\.[0-9]+$ ]] || fail "canh --version printed '$version'"
in_root getent passwd canh | grep -q ':/var/lib/canh:/usr/sbin/nologin$' || fail "no canh system user"
for d in /var/lib/canh /var/lib/canh-sensor /var/log/canh; do
  [ "$(in_root stat -c '%U:%G %a' "$d")" = "canh:canh 750" ] || fail "$d: $(in_root stat -c '%U:%G %a' "$d")"
done
[ "$(in_root stat -c '%U:%G %a' /etc/canh)" = "root:canh 750" ] || fail "/etc/canh: $(in_root stat -c '%U:%G %a' /etc/canh)"
[ -L "$root/etc/systemd/system/multi-user.target.wants/canh-server.service" ] || fail "canh-server.service not enabled"
in_root canh config check /etc/canh/canh.yaml >"$work/log.txt" 2>&1 || fail "installed canh.yaml does not pass config check"
in_root install -m 0640 -g canh /etc/canh/server.yaml.example /etc/canh/server.yaml
in_root canh config check /etc/canh/server.yaml >"$work/log.txt" 2>&1 || fail "installed server.yaml does not pass config check"

# The server on the packaged configuration, as the canh user (what the unit runs), on a free port.
echo 'package test password' | in_root setpriv --reuid=canh --regid=canh --clear-groups \
  canh user add --data /var/lib/canh --name admin --role admin >"$work/log.txt" 2>&1 || fail "canh user add as canh failed"
# chroot, env and setpriv each exec the next: $! is the server itself (a shell function would fork).
chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin setpriv --reuid=canh --regid=canh --clear-groups \
  canh server -c /etc/canh/server.yaml --listen 127.0.0.1:0 >"$work/server.log" 2>&1 &
spid=$!
url=
for _ in $(seq 1 300); do
  url=$(sed -n 's/.*server: ready url=\(http[^ ]*\).*/\1/p' "$work/server.log" | head -1)
  [ -n "$url" ] && break
  kill -0 "$spid" 2>/dev/null || { cat "$work/server.log" >"$work/log.txt"; fail "the installed server exited at start"; }
  sleep 0.1
done
[ -n "$url" ] || fail "the installed server did not become ready"
kill -TERM "$spid"
wait "$spid" || { cat "$work/server.log" >"$work/log.txt"; fail "the installed server did not stop cleanly"; }

# The units, verified by the target system's own systemd (installed into the copy for that): unit
# syntax, ExecStart binaries present, dependencies resolvable. The exposure scores are printed.
in_root apt-get install -y -q --no-install-recommends systemd >"$work/log.txt" 2>&1 || fail "cannot install systemd in the chroot"
for u in canh-server.service canh-sensor@eth0.service; do
  in_root systemd-analyze verify "$u" >"$work/log.txt" 2>&1 || fail "systemd-analyze verify $u"
  if grep -q . "$work/log.txt"; then fail "systemd-analyze verify $u printed warnings"; fi
  score=$(in_root systemd-analyze security --offline=true "$u" 2>/dev/null | sed -n 's/.*Overall exposure level for [^:]*: //p')
  echo "package_test: $u verified; exposure $score"
done
in_root apt-get remove -y -q canh >"$work/log.txt" 2>&1 || fail "apt-get remove failed"
[ -d "$root/var/lib/canh/db" ] || fail "removing the package deleted the data folder"
echo "package_test: ok ($(basename "$deb"); Depends: $(cat "$work/depends.txt"))"
