#!/usr/bin/env python3
"""End to end, the alert pipeline: `canh sensor` replays a capture and ships its alerts to
`canh server`; what the server stored must be exactly the sensor's eve.json alerts.

  ingest_e2e.py CANH replay     collector up the whole time
  ingest_e2e.py CANH kill       the server is SIGKILLed in the middle of ingest and restarted:
                                nothing lost, nothing stored twice
  ingest_e2e.py CANH down       the sensor starts while the collector is down: it spools, then
                                delivers everything once the collector is up
  ingest_e2e.py CANH restart    the sensor is SIGKILLed with its alerts still spooled; started
                                again (on an empty capture) it delivers them, once
  ingest_e2e.py CANH ruleset    the console's current rule set reaches the sensor through the
                                heartbeat: downloaded, checked by hash, loaded into the running engine
  ingest_e2e.py CANH verify     suricata-verify's testmyids capture with ET Open rules, compared the
                                same way (skips when ../shared is not there)

Servers bind 127.0.0.1 on a free port and are started and stopped here.
"""
import glob
import json
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ingest_lib import (Api, Failure, Server, UDP_RULES, compare_stored_with_eve, eve_alerts, free_port,  # noqa: E402
                        fresh_dir, poll, write_udp_capture)

SKIP = 77


class Run:
    def __init__(self, canh, work):
        self.canh, self.work = canh, work
        self.port = free_port()
        self.server = Server(canh, os.path.join(work, "data"), self.port, os.path.join(work, "server.log"))
        self.sensor_log = os.path.join(work, "sensor.log")
        self.out = fresh_dir(os.path.join(work, "out"))
        self.spool = os.path.join(work, "spool")

    def setup_server(self):
        self.server.add_admin()
        self.server.start()
        self.api = Api(self.port).login()
        self.token = self.api.create_sensor("e2e-sensor")

    def start_sensor(self, pcap, rules, batch, drain=120, extra=()):
        args = [self.canh, "sensor", "-r", pcap, "-S", rules, "-l", self.out, "-k", "none",
                "--collector", self.server.url(), "--token", self.token, "--spool-dir", self.spool,
                "--ship-batch", str(batch), "--ship-drain", str(drain), "--log-level", "info"] + list(extra)
        log = open(self.sensor_log, "a")
        self.sensor = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT)
        log.close()
        return self.sensor

    def wait_sensor(self, timeout=180):
        rc = self.sensor.wait(timeout=timeout)
        if rc != 0:
            raise Failure("canh sensor exited with %d:\n%s" % (rc, self.tail(self.sensor_log)))

    def check(self):
        eve = eve_alerts(os.path.join(self.out, "eve.json"))
        if not eve:
            raise Failure("the sensor raised no alerts: nothing was tested")
        stored = self.api.alerts()
        per_sid = compare_stored_with_eve(stored, eve)
        return len(eve), per_sid

    @staticmethod
    def tail(path, n=30):
        try:
            with open(path, errors="replace") as f:
                return "".join(f.readlines()[-n:])
        except OSError:
            return ""

    def spooled_alerts(self):
        n = 0
        for p in glob.glob(os.path.join(self.spool, "b-*.ndjson")) + glob.glob(os.path.join(self.spool, "open.ndjson")):
            try:
                with open(p, "rb") as f:
                    n += f.read().count(b"\n")
            except FileNotFoundError:
                pass  # the shipper sealed or delivered it between the listing and the open
        return n


def eve_alerts_so_far(path):
    """The alerts of an eve.json the sensor is still writing: stdio flushes it in blocks, so its
    last line may be unfinished; that line is left for the next look."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except FileNotFoundError:
        return []
    out = []
    for line in data[:data.rfind(b"\n") + 1].splitlines():
        if line.strip():
            rec = json.loads(line)
            if rec.get("event_type") == "alert":
                out.append(rec)
    return out


def capture(run, packets):
    pcap = os.path.join(run.work, "e2e.pcap")
    rules = os.path.join(run.work, "e2e.rules")
    write_udp_capture(pcap, packets)
    with open(rules, "w") as f:
        f.write(UDP_RULES)
    return pcap, rules


def scenario_replay(run):
    pcap, rules = capture(run, 3000)
    run.setup_server()
    run.start_sensor(pcap, rules, batch=500)
    run.wait_sensor()
    return run.check()


def scenario_kill(run):
    # Many small batches, so the kill lands while batches are still arriving.
    pcap, rules = capture(run, 25000)
    run.setup_server()
    run.start_sensor(pcap, rules, batch=50)
    poll("the first alerts to be stored", run.api.any_alert, timeout=60, interval=0.005)
    run.server.kill()
    if run.sensor.poll() is not None:
        raise Failure("the sensor finished before the server was killed: the test did not test a crash")
    run.server.start()
    run.wait_sensor()
    total, per_sid = run.check()
    # The kill must have interrupted something: the shipper logged the collector going away.
    if "collector not reachable" not in open(run.sensor_log, errors="replace").read():
        raise Failure("the sensor never saw the collector go away: the kill came too late")
    return total, per_sid


def scenario_down(run):
    pcap, rules = capture(run, 3000)
    run.setup_server()
    run.server.stop()  # the collector is down when the sensor starts
    run.start_sensor(pcap, rules, batch=400)
    expected = 2400  # 4 rules over 5 markers: 4 of every 5 packets alert
    poll("the sensor to spool every alert", lambda: run.spooled_alerts() >= expected or run.sensor.poll() is not None,
         timeout=120)
    if run.sensor.poll() is not None:
        raise Failure("the sensor exited while the collector was down:\n" + run.tail(run.sensor_log))
    # eve.json reaches the disk in stdio blocks: wait for it to show what the spool holds.
    eve_path = os.path.join(run.out, "eve.json")
    try:
        poll("eve.json to hold the spooled alerts", lambda: run.spooled_alerts() == len(eve_alerts_so_far(eve_path)),
             timeout=30)
    except Failure:
        raise Failure("spooled %d alerts, eve.json has %d" % (run.spooled_alerts(), len(eve_alerts_so_far(eve_path))))
    run.server.start()
    run.api = Api(run.port).login()
    run.wait_sensor()
    return run.check()


def scenario_restart(run):
    pcap, rules = capture(run, 3000)
    run.setup_server()
    run.server.stop()  # nothing can be delivered: everything stays in the spool
    run.start_sensor(pcap, rules, batch=300)
    eve_path = os.path.join(run.out, "eve.json")
    poll("the sensor to spool every alert", lambda: os.path.exists(eve_path) and
         run.spooled_alerts() == len(eve_alerts_so_far(eve_path)) > 0 and
         "alerts in" in open(run.sensor_log, errors="replace").read(), timeout=120)
    run.sensor.kill()  # SIGKILL while it waits to deliver: no shutdown code runs
    run.sensor.wait()
    eve = eve_alerts(eve_path)
    os.rename(eve_path, eve_path + ".first")
    empty = os.path.join(run.work, "empty.pcap")
    write_udp_capture(empty, 0)
    run.server.start()
    run.api = Api(run.port).login()
    run.start_sensor(empty, rules, batch=300)  # same spool directory and credential
    run.wait_sensor()
    if eve_alerts(eve_path):
        raise Failure("the second run raised alerts of its own: the test compares the wrong thing")
    stored = run.api.alerts()
    per_sid = compare_stored_with_eve(stored, eve)
    return len(eve), per_sid


def scenario_ruleset(run):
    pcap, rules = capture(run, 3000)
    run.setup_server()
    central = UDP_RULES.replace("CANH E2E mark zero", "CANH E2E central mark zero")
    _, v, _ = run.api.request("POST", "/api/v1/rulesets",
                              {"files": [{"name": "central.rules", "content": central}], "note": "e2e"})
    version = v["version"]
    run.start_sensor(pcap, rules, batch=500, drain=30)
    run.wait_sensor()
    # The console may cut a newer version from the same files (thresholds refreshed when a sensor
    # asks), so the sensor runs the uploaded version or a later one carrying the same file.
    log = open(run.sensor_log, errors="replace").read()
    m = re.search(r"rule set from the collector is running version=(\d+)", log)
    if not m or int(m.group(1)) < version:
        raise Failure("the sensor did not load rule-set version %d or later:\n%s" % (version, run.tail(run.sensor_log)))
    got = open(os.path.join(run.spool, "rulesets", "v" + m.group(1), "central.rules")).read()
    if got != central:
        raise Failure("the downloaded central.rules differs from the uploaded one")
    total, per_sid = run.check()
    return total, per_sid


def scenario_verify(run):
    # A real capture and real rules: suricata-verify's testmyids capture against ET Open's
    # attack-response rules (sid 2100498 fires on it).
    shared = os.environ.get("CANH_SHARED_DIR", os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "shared"))
    pcap = os.path.join(shared, "suricata-verify", "tests", "alert-testmyids", "input.pcap")
    rules = os.path.join(shared, "rulesets", "et-open", "emerging-attack_response.rules")
    if not os.path.exists(pcap) or not os.path.exists(rules):
        print("skipped: %s or %s not found" % (pcap, rules))
        return None
    run.setup_server()
    run.start_sensor(pcap, rules, batch=100)
    run.wait_sensor(timeout=600)
    return run.check()


def main():
    canh, name = sys.argv[1], sys.argv[2]
    with tempfile.TemporaryDirectory(prefix="canh-ingest-e2e-") as work:
        run = Run(os.path.abspath(canh), work)
        try:
            result = globals()["scenario_" + name](run)
        except Failure as e:
            print("FAIL ingest %s: %s" % (name, e), file=sys.stderr)
            print("--- server log\n" + run.server.log_tail(), file=sys.stderr)
            print("--- sensor log\n" + run.tail(run.sensor_log), file=sys.stderr)
            return 1
        finally:
            run.server.kill()
            if getattr(run, "sensor", None) and run.sensor.poll() is None:
                run.sensor.kill()
        if result is None:
            return SKIP
        total, per_sid = result
        print("ingest %s: ok, %d alerts stored once each, per signature %s" % (name, total, per_sid))
        return 0


if __name__ == "__main__":
    sys.exit(main())
