#!/usr/bin/env python3
"""Makes fuzz seeds from ../shared at test time, into the build tree (never into the repository):

  shared_seeds.py SHARED_DIR OUT_DIR

  OUT_DIR/pcap/      suricata-verify captures of at most 64 KiB, as they are (sensor_pcap_fuzz)
  OUT_DIR/decode/    the same captures' packets in sensor_decode_fuzz's framing: per packet a selector
                     byte (the link type's index in decode_fuzz.cc's table), a 2-byte length, the frame
  OUT_DIR/parser/    ET Open rules, 30 lines a seed, for rules_parser_fuzz (first byte 0: rule text)
  OUT_DIR/compiler/  ET Open rules, 8 a seed, then NUL and a payload for rules_compiler_fuzz

When SHARED_DIR has neither suite, OUT_DIR/ABSENT is written and the runs that need the seeds skip.
"""
import glob
import os
import shutil
import struct
import sys

MAX_SEED = 64 * 1024
# sensor/decode_fuzz.cc's kLinks, in order.
DECODE_LINKS = [1, 113, 276, 101, 0, 108, 104, 9, 228, 229]


def packets(data):
    """(linktype, frame) of every packet in a pcap or pcapng capture; [] for anything else."""
    out = []
    if len(data) < 24:
        return out
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        e = "<" if magic[0] in (0xD4, 0x4D) else ">"
        link = struct.unpack(e + "I", data[20:24])[0] & 0xFFFF
        off = 24
        while off + 16 <= len(data):
            incl = struct.unpack(e + "I", data[off + 8:off + 12])[0]
            frame = data[off + 16:off + 16 + incl]
            out.append((link, frame))
            off += 16 + incl
        return out
    if magic == b"\x0a\x0d\x0d\x0a":
        links = []
        e = "<" if data[8:12] == b"\x4d\x3c\x2b\x1a" else ">"
        off = 0
        while off + 12 <= len(data):
            btype, blen = struct.unpack(e + "II", data[off:off + 8])
            if blen < 12 or off + blen > len(data):
                break
            body = data[off + 8:off + blen - 4]
            if btype == 0x0A0D0D0A:
                links = []
            elif btype == 1 and len(body) >= 2:
                links.append(struct.unpack(e + "H", body[:2])[0])
            elif btype == 6 and len(body) >= 20:
                iface, _, _, caplen = struct.unpack(e + "IIII", body[:16])
                if iface < len(links):
                    out.append((links[iface], body[20:20 + caplen]))
            elif btype == 3 and len(body) >= 4 and links:
                out.append((links[0], body[4:]))
            off += blen
    return out


def decode_seed(pkts):
    out = bytearray()
    for link, frame in pkts:
        if link not in DECODE_LINKS or len(frame) > 0xFFFF:
            continue
        out += bytes([DECODE_LINKS.index(link)]) + struct.pack("!H", len(frame)) + frame
        if len(out) > MAX_SEED:
            break
    return bytes(out[:MAX_SEED])


def main():
    shared, out = sys.argv[1], sys.argv[2]
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    captures = sorted(glob.glob(os.path.join(shared, "suricata-verify", "tests", "*", "*.pcap*")))
    rules = sorted(glob.glob(os.path.join(shared, "rulesets", "et-open", "*.rules")))
    if not captures and not rules:
        open(os.path.join(out, "ABSENT"), "w").write("no suricata-verify captures or ET Open rules under %s\n" % shared)
        print("fuzz seeds: nothing under %s (suricata-verify, ET Open): the shared-seed runs skip" % shared)
        return 0
    for d in ("pcap", "decode", "parser", "compiler"):
        os.makedirs(os.path.join(out, d))
    n_pcap = 0
    for path in captures:
        with open(path, "rb") as f:
            data = f.read()
        name = os.path.basename(os.path.dirname(path)) + "-" + os.path.basename(path)
        if len(data) <= MAX_SEED:
            with open(os.path.join(out, "pcap", name), "wb") as f:
                f.write(data)
            n_pcap += 1
        seed = decode_seed(packets(data))
        if seed:
            with open(os.path.join(out, "decode", name), "wb") as f:
                f.write(seed)
    lines = []
    for path in rules:
        with open(path, encoding="utf-8", errors="replace") as f:
            lines.extend(l for l in f if l.strip() and not l.startswith("#"))
    # Spread over every file: every k-th chunk, so each seed set holds rules of all categories.
    parser_chunks = [lines[i:i + 30] for i in range(0, len(lines), 30)]
    step = max(1, len(parser_chunks) // 200)
    for i, chunk in enumerate(parser_chunks[::step]):
        with open(os.path.join(out, "parser", "et-%04d" % i), "wb") as f:
            f.write(b"\x00" + "".join(chunk).encode())
    compiler_chunks = [lines[i:i + 8] for i in range(0, len(lines), 8)]
    step = max(1, len(compiler_chunks) // 60)
    payload = (b"GET /index.php?id=1%27%20UNION%20SELECT HTTP/1.1\r\nHost: portal\r\nUser-Agent: sqlmap/1.7\r\n\r\n"
               b"\x00\x01\x02MZ\x90\x00/etc/passwd cmd.exe")
    for i, chunk in enumerate(compiler_chunks[::step]):
        with open(os.path.join(out, "compiler", "et-%04d" % i), "wb") as f:
            f.write("".join(chunk).encode() + b"\x00" + payload)
    print("fuzz seeds from %s: %d captures, %d decode seeds, %d parser and %d compiler seeds from %d rules" %
          (shared, n_pcap, len(os.listdir(os.path.join(out, "decode"))), len(os.listdir(os.path.join(out, "parser"))),
           len(os.listdir(os.path.join(out, "compiler"))), len(lines)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
