#!/usr/bin/env python3
"""collector-ingest: alerts per second that `canh server` stores durably (WAL synced before each
acknowledgement) from several shipping sensors at once over loopback.

Starts a server on a fresh data folder, creates one sensor per shipper through the console API,
fills each shipper's spool (not timed), then releases them together and times until the last
batch is acknowledged. Checks that the server holds every alert, once.

  collector_ingest.py CANH_BIN BUILD_DIR WORK [--sensors 4] [--alerts 250000] [--batch 2000]
"""
import argparse
import os
import subprocess
import sys
import time

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "..", "tests", "e2e"))
from ingest_lib import Api, Failure, Server, free_port, fresh_dir, poll  # noqa: E402


def cpu_seconds(pid):
    """User + system CPU time of a process, from /proc (clock ticks)."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("canh")
    ap.add_argument("build")
    ap.add_argument("work")
    ap.add_argument("--sensors", type=int, default=4)
    ap.add_argument("--alerts", type=int, default=250000, help="per sensor")
    ap.add_argument("--batch", type=int, default=2000)
    ap.add_argument("--threads", type=int, default=4, help="server HTTP threads")
    a = ap.parse_args()

    work = fresh_dir(a.work)
    port = free_port()
    server = Server(a.canh, os.path.join(work, "data"), port, os.path.join(work, "server.log"), threads=a.threads)
    server.add_admin()
    server.start()
    procs = []
    try:
        api = Api(port).login()
        ship = os.path.join(a.build, "canh_bench_ship")
        go = os.path.join(work, "go")
        for i in range(a.sensors):
            token = api.create_sensor("bench-%d" % i)
            procs.append(subprocess.Popen([ship, "--url", server.url(), "--token", token,
                                           "--spool", os.path.join(work, "spool-%d" % i), "--alerts", str(a.alerts),
                                           "--seed", str(i + 1), "--batch", str(a.batch),
                                           "--ready", os.path.join(work, "ready-%d" % i), "--go", go,
                                           "--result", os.path.join(work, "result-%d" % i)]))
        poll("every shipper to fill its spool",
             lambda: all(os.path.exists(os.path.join(work, "ready-%d" % i)) for i in range(a.sensors)), timeout=600)
        cpu0 = cpu_seconds(server.proc.pid)
        open(go, "w").close()
        for p in procs:
            if p.wait(timeout=1200) != 0:
                raise Failure("a shipper failed (exit %d)" % p.returncode)
        server_cpu = cpu_seconds(server.proc.pid) - cpu0
        results = []
        for i in range(a.sensors):
            r = dict(line.split() for line in open(os.path.join(work, "result-%d" % i)))
            results.append({k: int(v) for k, v in r.items()})
        total = sum(r["shipped"] for r in results)
        t0 = min(r["start_ns"] for r in results)
        t1 = max(r["end_ns"] for r in results)
        secs = (t1 - t0) / 1e9
        # Everything acknowledged must be stored, once: the server's own count.
        now_ms = int(time.time() * 1000)
        _, st, _ = api.request("GET", "/api/v1/alerts/stats?from=%d&to=%d" % (now_ms - 86400000, now_ms + 60000))
        if st["total"] != a.sensors * a.alerts or total != a.sensors * a.alerts:
            raise Failure("expected %d alerts; shippers acknowledged %d, server counts %d" %
                          (a.sensors * a.alerts, total, st["total"]))
        batches = sum(r["batches"] for r in results)
        print("collector-ingest: %d alerts from %d sensors in %d batches, %.2f s; server threads %d; load average %s"
              % (total, a.sensors, batches, secs, a.threads, open("/proc/loadavg").read().split()[0]), file=sys.stderr)
        print("BENCH collector.alerts_per_s %.0f alerts/s" % (total / secs))
        # CPU the server spent per alert (parsing, validating, storing, WAL syncs, compaction): what
        # the rate would be on an otherwise idle machine is about cores / this.
        print("BENCH collector.server_cpu_us_per_alert %.1f us" % (server_cpu * 1e6 / total))
        print("BENCH collector.batches_per_s %.0f batches/s" % (batches / secs))
        print("BENCH collector.stored_alerts %d alerts" % st["total"])
    except Failure as e:
        print("collector-ingest: FAIL: %s\n%s" % (e, server.log_tail()), file=sys.stderr)
        return 1
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
