#!/usr/bin/env bash
# about: ET Open rule set: cold compile (parse + Hyperscan build), warm load from the database cache, database size
# Runs `canh rules check` as a sensor start would: once with an empty Hyperscan cache (cold), then
# three times with the cache it filled (warm; the best of three). Times are for the whole process:
# reading and parsing ~19,500 rules, PCRE2 JIT, building or loading the prefilter databases. Wall
# time is the figure the targets speak of; CPU time (user+sys) is printed too because the 2-core
# machine is shared and wall time suffers when others compile (the load average is printed with it).
set -euo pipefail
: "${CANH_BIN:?run through benchmarks/run}"
rules_dir="$SHARED_DIR/rulesets/et-open"
if [ ! -d "$rules_dir" ]; then
  echo "rules-compile: $rules_dir not found (the shared rule sets sit beside the repository)" >&2
  exit 1
fi
cache="$BENCH_DATA/rules-compile-cache"
rm -rf "$cache"
mkdir -p "$cache"
trap 'rm -rf "$cache"' EXIT
python3 - "$CANH_BIN" "$cache" "$rules_dir" <<'PY'
import glob, json, os, resource, subprocess, sys, time
canh, cache, rules_dir = sys.argv[1], sys.argv[2], sys.argv[3]
files = sorted(glob.glob(os.path.join(rules_dir, "*.rules")))

def run():
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    p = subprocess.run([canh, "rules", "check", "--json", "--cache-dir", cache] + files,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wall = time.monotonic() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    # Exit status 1 means some rules need fixing (ET Open ships a few broken ones): still a run.
    if p.returncode not in (0, 1):
        sys.exit(f"rules-compile: canh rules check failed ({p.returncode}): {p.stderr.strip()}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, json.loads(p.stdout)

load = os.getloadavg()[0]
cold_wall, cold_cpu, d = run()
if d["engine"].get("build_seconds") is None:
    sys.exit("rules-compile: unexpected JSON from canh rules check")
warm = [run() for _ in range(3)]
warm_wall = min(w for w, _, _ in warm)
warm_cpu = min(c for _, c, _ in warm)
print(f"BENCH rules.cold_compile_s {cold_wall:.3f} s")
print(f"BENCH rules.warm_load_s {warm_wall:.3f} s")
print(f"BENCH rules.db_mb {d['engine']['database_bytes'] / 1e6:.2f} MB")
print(f"BENCH rules.cold_compile_cpu_s {cold_cpu:.3f} s")
print(f"BENCH rules.warm_load_cpu_s {warm_cpu:.3f} s")
print(f"BENCH rules.load_average {load:.2f} load")
print(f"BENCH rules.enabled {d['enabled']} rules")
print(f"BENCH rules.loaded {d['loaded']} rules")
print(f"BENCH rules.parsed_pct {100.0 * d['parsed'] / d['enabled']:.2f} %")
print(f"BENCH rules.loaded_pct {100.0 * d['loaded'] / d['enabled']:.2f} %")
print(f"BENCH rules.prefilter_databases {d['engine']['prefilter_databases']} databases")
PY
