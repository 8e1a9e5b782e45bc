#!/usr/bin/env python3
"""Benchmark dataset for Lifeboat: a file tree shaped like the files of an AI camera-counting
platform, and a deterministic "day of changes" to apply to it. Python 3 standard library only.

  bench/dataset.py generate OUT_DIR [--size 1G] [--seed 1]
  bench/dataset.py mutate DIR [--seed 2]

generate writes a new tree of about --size bytes (1G, 200M, 512K or plain bytes; binary units):
  app/     ~15 %  two releases, the second an identical copy of the first but for release.json
                  (dedup), each with Java/Python sources, yaml/json config, random-binary jars and
                  an executable start script; a sparse file (a large hole, a few KiB of data)
  media/   ~60 %  incompressible camera snapshots (.jpg) and video segments (.mp4) per site,
                  camera and day; a few segments copied again into an incident export
  logs/    ~20 %  per service, one current log and 13 rotated days: very compressible lines
                  with timestamps, camera ids, zones and counts
  config/   ~5 %  many small yaml/json/conf/pem-like files, one 30-level deep directory tree
plus empty directories, relative symlinks, one absolute symlink into the tree, one dangling
symlink, a hard link, names with spaces, accents, CJK and a leading dash, modes 0600/0700/0755,
and a marker file .lifeboat-dataset.json (seed, size, days mutated) that mutate looks for.

Same seed and size give the same tree: names, bytes, modes and mtimes (every file, directory and
symlink gets an mtime derived from the seed; nothing depends on the clock, the umask or
os.urandom). The one exception is the absolute symlink, whose target starts with OUT_DIR.
Binary content is SHAKE-256 output keyed by the seed, text comes from random.Random(seed)
through random() only, whose sequence Python guarantees across versions.

mutate applies one day of changes (about 3 % of the bytes are new), again deterministic for the
same tree and seed; running it again applies the next day:
  logs    append the end of the day to every current log, rotate it to NAME-YYYYMMDD.log and
          start a new current log
  media   add the new day's snapshots and segments, delete the oldest day's files of a few
          cameras, insert up to 1 MiB into the middle of the largest recording (shifts the rest)
  app     overwrite a few KiB in the middle of the largest jar of the current release (in place),
          insert a line into a few source files, rename one source package directory
  config  touch a few files (new mtime, same bytes), chmod one file, add one camera file
Both commands print a one-line summary to stderr. Big files are written in 1 MiB blocks.
"""
import argparse
import base64
import calendar
import hashlib
import json
import os
import random
import re
import stat
import sys
import time

BLOCK = 1 << 20
KIB, MIB = 1 << 10, 1 << 20
MARKER = ".lifeboat-dataset.json"
SPARSE = os.path.join("app", "var", "lib", "counts.db")
GENERATOR = "lifeboat bench/dataset.py"
FORMAT = 1
HISTORY_DAYS = 14
LAST_DAY = calendar.timegm((2025, 11, 13, 0, 0, 0))  # the newest day of a fresh tree (UTC)
DAY = 86400
NS = 10 ** 9

SITES = ("depot-nord", "café-bellevue", "station 北口")
CAMERAS = [(SITES[0 if i <= 10 else 1 if i <= 18 else 2], f"cam-{i:03d}") for i in range(1, 25)]
ZONES = ("entrance", "exit", "dock-1", "dock-2", "checkout", "aisle-3", "platform-a", "stairs")
TENANTS = ("acme-retail", "nordbahn", "citymall", "logistix", "museo")
SERVICES = (("counter-worker", 35), ("api-gateway", 25), ("camera-ingest", 20),
            ("scheduler", 8), ("auth", 7), ("alerting", 5))
WORDS = ("camera zone count entry exit tenant site frame track detector model threshold occupancy "
         "dwell heatmap line crossing stream ingest buffer retry alert schedule report export "
         "snapshot calibration homography region batch queue worker gateway token session quota "
         "tracker person vehicle confidence interval window aggregate store cache index").split()
MODULES = ("ingest", "tracking", "counting", "zones", "reports", "alerts", "tenants", "auth",
           "export", "calibration", "storage", "api")
JPEG_MAGIC = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
MP4_MAGIC = b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00isomiso2avc1mp41"
JAR_MAGIC = b"PK\x03\x04\x14\x00\x08\x08\x08\x00"
JSON_TAIL = "\n}\n"


class Refused(Exception):
    """A request this script will not carry out; reported as one line, exit status 2."""


def parse_size(text):
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?\s*", text, re.IGNORECASE)
    if not m:
        raise argparse.ArgumentTypeError(f"bad size {text!r} (examples: 1G, 200M, 512K, 1048576)")
    scale = {"": 1, "k": KIB, "m": MIB, "g": 1 << 30, "t": 1 << 40}[m.group(2).lower()]
    size = int(float(m.group(1)) * scale)
    if size < 64 * KIB:
        raise argparse.ArgumentTypeError(f"size {text!r} is below the minimum of 64K")
    return size


def write_lines(f, size, lines):
    """Write whole lines from the iterator `lines` to f until at least `size` bytes, in blocks."""
    done, buf, buffered = 0, [], 0
    for line in lines:
        if done + buffered >= size:
            break
        b = line.encode()
        buf.append(b)
        buffered += len(b)
        if buffered >= BLOCK:
            f.write(b"".join(buf))
            done += buffered
            buf, buffered = [], 0
    f.write(b"".join(buf))
    return done + buffered


def day_string(t, sep="-"):
    return time.strftime(f"%Y{sep}%m{sep}%d", time.gmtime(t))


def sorted_walk(root):
    """os.walk in a fixed order (names sorted), so every choice made from a listing is repeatable."""
    for d, dirs, files in os.walk(root):
        dirs.sort()
        files.sort()
        yield d, dirs, files


def set_mtime(path, ns):
    os.utime(path, ns=(ns, ns), follow_symlinks=False)


def symlink(target, path, mtime_ns):
    os.symlink(target, path)
    set_mtime(path, mtime_ns)


class Writer:
    """Deterministic content and timestamps from one seed.

    Choices use only rng.random() (the part of random whose sequence Python promises to keep);
    bulk binary data is SHAKE-256 of (seed, stream number, block number), which is fast and
    needs no state beyond the key.
    """

    def __init__(self, seed, label):
        self.rng = random.Random(f"{label}:{seed}")
        self.r = self.rng.random
        self.key = f"lifeboat-bench/{label}/{seed}/".encode()

    # ----- choices
    def below(self, n):
        return int(self.r() * n)

    def between(self, lo, hi):
        return lo + int(self.r() * (hi - lo + 1))

    def pick(self, seq):
        return seq[int(self.r() * len(seq))]

    def log_uniform(self, lo, hi):
        return int(lo * (hi / lo) ** self.r()) if hi > lo else lo

    def shuffled(self, seq):
        out = list(seq)
        for i in range(len(out) - 1, 0, -1):
            j = int(self.r() * (i + 1))
            out[i], out[j] = out[j], out[i]
        return out

    def stream_id(self):
        return int(self.r() * (1 << 53))

    def noise(self, nbytes):
        """A few deterministic random bytes (keys, ids, patches): SHAKE of the next stream id."""
        return hashlib.shake_256(self.key + b"n%d" % self.stream_id()).digest(nbytes)

    # ----- files
    def binary(self, path, size, magic=b"", mtime_ns=None, mode=None):
        """Incompressible bytes, written block by block; magic replaces the first bytes."""
        prefix = self.key + b"s%d/" % self.stream_id()
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            head = magic[:size]
            f.write(head)
            done, block = len(head), 0
            while done < size:
                n = min(BLOCK, size - done)
                f.write(hashlib.shake_256(prefix + b"%d" % block).digest(n))
                done += n
                block += 1
        self._finish(path, mtime_ns, mode)
        return size

    def text(self, path, size, lines, mtime_ns=None, mode=None, tail=""):
        """Whole lines from the iterator `lines` until at least `size` bytes, written in blocks,
        then `tail`."""
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            done = write_lines(f, size - len(tail), lines)
            f.write(tail.encode())
        self._finish(path, mtime_ns, mode)
        return done + len(tail)

    def small(self, path, content, mtime_ns=None, mode=None):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        data = content.encode() if isinstance(content, str) else content
        with open(path, "wb") as f:
            f.write(data)
        self._finish(path, mtime_ns, mode)
        return len(data)

    @staticmethod
    def _finish(path, mtime_ns, mode):
        if mode is not None:
            os.chmod(path, mode)
        if mtime_ns is not None:
            set_mtime(path, mtime_ns)

    # ----- text shapes
    def ident(self, capital=False):
        a, b = self.pick(WORDS), self.pick(WORDS)
        name = a + b.capitalize()
        return name[0].upper() + name[1:] if capital else name

    def words(self, lo, hi):
        return " ".join(self.pick(WORDS) for _ in range(self.between(lo, hi)))

    def java_lines(self, package, cls):
        pick, below, ident = self.pick, self.below, self.ident
        yield f"package io.countplatform.{package};\n\n"
        for _ in range(self.between(3, 9)):
            yield f"import io.countplatform.{pick(MODULES)}.{ident(True)};\n"
        yield f"\n/** {self.words(5, 9).capitalize()}. */\npublic final class {cls} {{\n"
        while True:
            kind = pick(("int", "long", "boolean", "void", "String"))
            yield (f"    private final {ident(True)} {ident()};\n\n"
                   f"    public {kind} {ident()}({ident(True)} {pick(WORDS)}, int {pick(WORDS)}) {{\n")
            for _ in range(self.between(2, 12)):
                k = below(6)
                if k == 0:
                    yield (f"        if ({pick(WORDS)}.{ident()}() > {below(1000)}) {{\n"
                           f"            return {below(100)};\n        }}\n")
                elif k == 1:
                    yield f"        // {self.words(4, 10)}\n"
                elif k == 2:
                    yield f"        log.debug(\"{pick(WORDS)} {{}} {pick(WORDS)} {{}}\", {pick(WORDS)}, {ident()});\n"
                else:
                    yield f"        {ident()} = {pick(WORDS)}.{ident()}({pick(WORDS)}, {below(500)});\n"
            yield "    }\n"

    def python_lines(self):
        pick, below = self.pick, self.below
        yield (f'"""{self.words(6, 10).capitalize()}."""\n'
               f"import {pick(('numpy as np', 'logging', 'json', 'time'))}\n"
               f"from countplatform.{pick(MODULES)} import {self.ident()}\n\n")
        while True:
            yield f"\ndef {pick(WORDS)}_{pick(WORDS)}({pick(WORDS)}, {pick(WORDS)}={below(100)}):\n"
            for _ in range(self.between(2, 10)):
                k = below(5)
                if k == 0:
                    yield f"    if {pick(WORDS)} > {self.r():.2f}:\n        return {pick(WORDS)}\n"
                elif k == 1:
                    yield f"    # {self.words(4, 10)}\n"
                else:
                    yield (f"    {pick(WORDS)}_{pick(WORDS)} = {pick(WORDS)}.{pick(WORDS)}"
                           f"({below(640)}, {below(480)})\n")
            yield f"    return {pick(WORDS)}\n"

    def yaml_lines(self):
        pick, below = self.pick, self.below
        yield (f"# {self.words(3, 8)}\napiVersion: v1\n"
               f"kind: {pick(('ConfigMap', 'Deployment', 'Service', 'CronJob'))}\n")
        n = 0
        while True:
            n += 1
            yield f"{pick(WORDS)}_{pick(WORDS)}_{n}:\n"
            if below(3) == 0:
                for _ in range(self.between(1, 6)):
                    yield f"  - {{camera: {pick(CAMERAS)[1]}, zone: {pick(ZONES)}, threshold: {self.r():.2f}}}\n"
                continue
            for i in range(self.between(1, 6)):
                key = f"{pick(WORDS)}_{i}"
                kind = below(3)
                if kind == 0:
                    yield f"  {key}: {below(10000)}\n"
                elif kind == 1:
                    yield f"  {key}: \"{pick(SITES)}/{pick(ZONES)}\"\n"
                else:
                    yield f"  {key}: {pick(('true', 'false', 'null', '0.35', '5m', '30s'))}\n"

    def json_lines(self):
        """The members of one JSON object; text(..., tail=JSON_TAIL) closes it."""
        pick, below = self.pick, self.below
        n = 0
        while True:
            n += 1
            k = below(4)
            if k == 0:
                value = str(below(100000))
            elif k == 1:
                value = json.dumps(f"{pick(SITES)}/{pick(CAMERAS)[1]}", ensure_ascii=False)
            elif k == 2:
                value = "[" + ", ".join(f"[{below(1920)}, {below(1080)}]" for _ in range(self.between(3, 8))) + "]"
            else:
                value = json.dumps({"enabled": self.r() < 0.8, "threshold": round(self.r(), 3)})
            yield f"{'{' if n == 1 else ','}\n  \"{pick(WORDS)}_{pick(WORDS)}_{n}\": {value}"

    def conf_lines(self):
        while True:
            value = self.pick(("on", "off", str(self.below(65536)), self.pick(TENANTS)))
            yield f"{self.pick(WORDS)}.{self.pick(WORDS)} = {value}\n"

    def pem(self, label, nbytes):
        body = base64.b64encode(self.noise(nbytes)).decode()
        lines = "\n".join(body[i:i + 64] for i in range(0, len(body), 64))
        return f"-----BEGIN {label}-----\n{lines}\n-----END {label}-----\n"

    # ----- logs
    def log_lines(self, service, day_t, start_s, end_s, size):
        """Log lines of `service` on the day starting at day_t; the timestamps advance with the
        bytes produced, from start_s to end_s (seconds into the day) over about `size` bytes."""
        date = day_string(day_t)
        pid = 1000 + self.below(30000)
        start, span = start_s * 1000, (end_s - start_s) * 1000
        t, produced = start, 0
        r, pick, below = self.r, self.pick, self.below
        while True:
            t = min(start + span - 1, max(t + 1 + below(50), start + span * produced // max(1, size)))
            s, ms = divmod(t, 1000)
            ts = f"{date}T{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}.{ms:03d}Z"
            site, cam = pick(CAMERAS)
            if service == "counter-worker":
                if r() < 0.97:
                    line = (f"{ts} INFO  counter-worker[{pid}] site={site} cam={cam} zone={pick(ZONES)} "
                            f"line={pick(('in', 'out'))} count={below(40)} occupancy={below(400)} "
                            f"model=yolov8n-int8 conf=0.{50 + below(50):02d} frame={int(t / 40)} "
                            f"latency_ms={3 + below(60)} trace={below(1 << 24):06x}\n")
                else:
                    line = (f"{ts} WARN  counter-worker[{pid}] site={site} cam={cam} low confidence "
                            f"for {below(12)} tracks, frame skipped\n")
            elif service == "api-gateway":
                line = (f"10.{below(8)}.{below(256)}.{below(256)} - {pick(TENANTS)} [{ts}] \"GET "
                        f"/api/v2/sites/{site}/zones/{pick(ZONES)}/counts?interval={pick(('5m', '1h', '1d'))} "
                        f"HTTP/1.1\" {pick((200, 200, 200, 200, 304, 401, 404, 500))} {200 + below(4000)} "
                        f"{1 + below(90)}ms \"{pick(('dashboard/3.2', 'curl/8.4.0', 'okhttp/4.12'))}\"\n")
            elif service == "camera-ingest":
                if r() < 0.9:
                    line = (f"{ts} INFO  camera-ingest[{pid}] cam={cam} site={site} fps={pick((10, 15, 25))} "
                            f"bitrate_kbps={1500 + below(2500)} dropped={below(3)} "
                            f"segment=seg-{s // 3600:02d}{s // 60 % 60:02d}.mp4\n")
                else:
                    line = (f"{ts} WARN  camera-ingest[{pid}] cam={cam} rtsp://10.20.{below(16)}.{below(256)}:554/main "
                            f"reconnect attempt={1 + below(5)} backoff_ms={pick((500, 1000, 2000, 4000))}\n")
            elif service == "scheduler":
                line = (f"{ts} INFO  scheduler[{pid}] job={pick(('hourly-report', 'retention', 'model-sync', 'export'))} "
                        f"tenant={pick(TENANTS)} run={below(100000)} duration_ms={below(20000)} "
                        f"rows={below(50000)} result={pick(('ok', 'ok', 'ok', 'retry'))}\n")
            elif service == "auth":
                line = (f"{ts} INFO  auth[{pid}] tenant={pick(TENANTS)} user=user-{below(5000):04d} "
                        f"event={pick(('token-issued', 'token-refreshed', 'login', 'logout'))} "
                        f"scope=counts:read ip=10.{below(8)}.{below(256)}.{below(256)}\n")
            else:
                line = (f"{ts} WARN  alerting[{pid}] rule=occupancy-high site={site} zone={pick(ZONES)} "
                        f"value={below(500)} threshold={pick((150, 250, 300))} notify=webhook "
                        f"status={pick(('sent', 'sent', 'throttled'))}\n")
            produced += len(line)
            yield line


# =============================================================================== generate

def generate(out, total, seed):
    w = Writer(seed, "generate")
    out = os.path.abspath(out)
    share = {"app": total * 15 // 100, "media": total * 60 // 100, "logs": total * 20 // 100}
    share["config"] = total - sum(share.values())
    days = [LAST_DAY - (HISTORY_DAYS - 1 - i) * DAY for i in range(HISTORY_DAYS)]
    end_of_history = LAST_DAY + 23 * 3600  # the "now" of a fresh tree

    def ns(t):
        return int(t * NS) + w.below(NS)

    # ---------------------------------------------------------------- app/
    app = os.path.join(out, "app")
    rel_a = os.path.join(app, "releases", "v2.4.0")
    rel_b = os.path.join(app, "releases", "v2.4.1")
    build_t = LAST_DAY - 40 * DAY + 11 * 3600
    per_release = share["app"] // 2
    w.small(os.path.join(rel_a, "bin", "start.sh"), START_SH, ns(build_t), 0o755)
    w.small(os.path.join(rel_a, "release.json"),
            json.dumps({"version": "2.4.0", "build": 5120, "commit": w.noise(20).hex()}, indent=2) + "\n",
            ns(build_t))
    left = per_release - 2 * KIB
    jar_hi = min(24 * MIB, max(64 * KIB, total // 100))
    jars_left = left * 60 // 100
    conf_left = left * 7 // 100
    src_left = left - jars_left - conf_left
    i = 0
    while jars_left > 0:
        n = min(jars_left, w.log_uniform(max(4 * KIB, jar_hi // 16), jar_hi))
        name = f"{w.pick(MODULES)}-{w.pick(WORDS)}-{w.between(1, 9)}.{w.below(20)}.{w.below(10)}-{i}.jar"
        jars_left -= w.binary(os.path.join(rel_a, "lib", name), n, JAR_MAGIC, ns(build_t - w.below(300 * DAY)))
        i += 1
    i = 0
    while conf_left > 0:
        n = min(conf_left, w.log_uniform(300, 20 * KIB))
        path = os.path.join(rel_a, "conf", f"{w.pick(MODULES)}-{i:03d}")
        if w.r() < 0.6:
            conf_left -= w.text(path + ".yaml", n, w.yaml_lines(), ns(build_t))
        else:
            conf_left -= w.text(path + ".json", n, w.json_lines(), ns(build_t), tail=JSON_TAIL)
        i += 1
    i = 0
    while src_left > 0:
        n = min(src_left, w.log_uniform(600, 48 * KIB))
        module = w.pick(MODULES)
        t = ns(build_t - w.below(200 * DAY))
        if w.r() < 0.7:
            cls = w.ident(True) + f"{i}"
            path = os.path.join(rel_a, "src", "main", "java", "io", "countplatform", module, cls + ".java")
            src_left -= w.text(path, n, w.java_lines(module, cls), t)
        else:
            path = os.path.join(rel_a, "ml", module, f"{w.pick(WORDS)}_{w.pick(WORDS)}_{i}.py")
            src_left -= w.text(path, n, w.python_lines(), t)
        i += 1
    # The second release: the same bytes and mtimes (a redeploy), only release.json differs.
    copy_tree(rel_a, rel_b)
    w.small(os.path.join(rel_b, "release.json"),
            json.dumps({"version": "2.4.1", "build": 5188, "commit": w.noise(20).hex()}, indent=2) + "\n",
            ns(build_t + 21 * DAY))
    symlink("releases/v2.4.1", os.path.join(app, "current"), ns(build_t + 21 * DAY))
    w.small(os.path.join(app, "bin", "healthcheck.sh"), HEALTHCHECK_SH, ns(build_t - 90 * DAY), 0o755)
    w.small(os.path.join(app, "README.md"), APP_README, ns(build_t - 120 * DAY))
    for empty in ("tmp", "run"):
        os.makedirs(os.path.join(app, "var", empty))
    # A sparse counts database: a header, a hole, some pages in the middle and at the end.
    hole = min(256 * MIB, max(MIB, total // 16))
    sparse = os.path.join(out, SPARSE)
    os.makedirs(os.path.dirname(sparse))
    with open(sparse, "wb") as f:
        f.write(b"COUNTSDB\x00\x01" + w.noise(4 * KIB - 10))
        f.seek(hole // 2)
        f.write(w.noise(4 * KIB))
        f.seek(hole)
        f.write(w.noise(8 * KIB))
    set_mtime(sparse, ns(end_of_history - 60))

    # ---------------------------------------------------------------- media/
    media = os.path.join(out, "media")
    exports_left = share["media"] * 5 // 100
    seg_left = (share["media"] - exports_left) * 70 // 100
    img_left = share["media"] - exports_left - seg_left
    seg_hi = min(64 * MIB, max(256 * KIB, total // 40))
    img_hi = min(3 * MIB // 2, max(16 * KIB, total // 800))
    segments, seq = [], 0

    def media_path(site, cam, day, kind):
        nonlocal seq
        seq += 1
        tod = w.below(DAY - 120)
        hms = time.strftime("%H%M%S", time.gmtime(tod))
        name = (f"{cam}_{day_string(day, '')}T{hms}_{seq:05d}.mp4" if kind == "seg"
                else f"snap_{hms}_{seq:05d}.jpg")
        return os.path.join(media, site, cam, day_string(day), name), day + tod

    while seg_left > 0:
        site, cam = w.pick(CAMERAS)
        path, t = media_path(site, cam, w.pick(days), "seg")
        n = min(seg_left, w.between(seg_hi // 4, seg_hi))
        seg_left -= w.binary(path, n, MP4_MAGIC, ns(t + 60))
        segments.append(path)
    while img_left > 0:
        site, cam = w.pick(CAMERAS)
        path, t = media_path(site, cam, w.pick(days), "img")
        n = min(img_left, w.log_uniform(max(2 * KIB, img_hi // 10), img_hi))
        img_left -= w.binary(path, n, JPEG_MAGIC, ns(t))
    incident = os.path.join(media, "exports", f"incident {day_string(days[-5])} {SITES[1]}")
    for k, src in enumerate(w.shuffled(segments)):
        size = os.path.getsize(src)
        if k > 0 and size > exports_left:
            continue
        copy_file(src, os.path.join(incident, os.path.basename(src)))
        exports_left -= size
    for site in SITES:
        cam = next(c for s, c in CAMERAS if s == site)
        os.makedirs(os.path.join(media, site, cam, "incoming"), exist_ok=True)

    # ---------------------------------------------------------------- logs/
    logs = os.path.join(out, "logs")
    weight_sum = sum(wt for _, wt in SERVICES)
    for service, weight in SERVICES:
        per_day = max(200, share["logs"] * weight // weight_sum // HISTORY_DAYS)
        for day in days:
            last = day == days[-1]
            name = f"{service}.log" if last else f"{service}-{day_string(day, '')}.log"
            end = 23 * 3600 if last else DAY
            n = per_day * 23 // 24 if last else per_day
            w.text(os.path.join(logs, service, name), n,
                   w.log_lines(service, day, 0, end, n), ns(day + end - 1))
    symlink("counter-worker.log", os.path.join(logs, "counter-worker", "latest.log"), ns(days[0]))

    # ---------------------------------------------------------------- config/
    cfg = os.path.join(out, "config")
    left = share["config"]
    old = LAST_DAY - 200 * DAY

    def cfg_time():
        return ns(old + w.below(200 * DAY))

    for site, cam in CAMERAS:
        left -= w.small(os.path.join(cfg, "cameras", site, f"{cam}.yaml"), camera_yaml(w, site, cam), cfg_time())
    for site in SITES:
        left -= w.small(os.path.join(cfg, "sites", f"{site}.json"),
                        json.dumps({"site": site, "tenant": w.pick(TENANTS), "timezone": "Europe/Berlin",
                                    "cameras": [c for s, c in CAMERAS if s == site],
                                    "zones": list(ZONES[:w.between(3, len(ZONES))])},
                                   ensure_ascii=False, indent=2) + "\n", cfg_time())
    tls = os.path.join(cfg, "tls")
    left -= w.small(os.path.join(tls, "ca.pem"), w.pem("CERTIFICATE", 1400), cfg_time())
    left -= w.small(os.path.join(tls, "server-2025.pem"), w.pem("CERTIFICATE", 1200), cfg_time())
    left -= w.small(os.path.join(tls, "private", "server-2025.key"), w.pem("PRIVATE KEY", 1190), cfg_time(), 0o600)
    os.chmod(os.path.join(tls, "private"), 0o700)
    odd = {
        "i18n/カメラ設定.yaml": "カメラ: 入口\nzone: entrance\n",
        "i18n/设置 zh-CN.yaml": "区域: 出口\nzone: exit\n",
        "i18n/messages fr-FR (café).yaml": "entrée: Entrée\nsortie: Sortie\ncafé: Café\n",
        "misc/-leading-dash.conf": "leading.dash = true\n",
        "misc/with  two spaces .conf": "spaces = 2\n",
    }
    for rel, content in odd.items():
        left -= w.small(os.path.join(cfg, rel), content, cfg_time())
    deep = os.path.join(cfg, "deep")
    for level in range(1, 31):
        deep = os.path.join(deep, f"level-{level:02d}")
        if level % 5 == 0 or level == 30:
            left -= w.small(os.path.join(deep, f"overrides-{level:02d}.yaml"),
                            f"level: {level}\ninherit: true\n", cfg_time())
    os.makedirs(os.path.join(cfg, "overrides", "tenant-museo", "empty"))
    kinds = (("k8s", ".yaml", 40), ("zones", ".json", 20), ("nginx/conf.d", ".conf", 10),
             ("alerting/rules", ".yaml", 15), ("tls/clients", ".pem", 5), ("features", ".json", 10))
    weights = sum(k[2] for k in kinds)
    i = 0
    while left > 0:
        x, acc = w.below(weights), 0
        for folder, ext, wt in kinds:
            acc += wt
            if x < acc:
                break
        sub = os.path.join(cfg, folder, w.pick(TENANTS) if folder in ("k8s", "zones") else "")
        path = os.path.join(sub, f"{w.pick(MODULES)}-{i:05d}{ext}")
        n = min(left, w.log_uniform(200, 16 * KIB))
        if ext == ".pem":
            left -= w.small(path, w.pem("CERTIFICATE", max(48, n * 3 // 4 - 60)), cfg_time())
        else:
            lines = {".yaml": w.yaml_lines, ".json": w.json_lines, ".conf": w.conf_lines}[ext]()
            left -= w.text(path, n, lines, cfg_time(), tail=JSON_TAIL if ext == ".json" else "")
        i += 1

    # ---------------------------------------------------------------- links
    os.makedirs(os.path.join(rel_b, "conf"), exist_ok=True)
    symlink(f"sites/{SITES[0]}.json", os.path.join(cfg, "active-site.json"), cfg_time())
    symlink("../../../../config/tls/ca.pem", os.path.join(rel_b, "conf", "ca-link.pem"), cfg_time())
    symlink(os.path.join(tls, "server-2025.pem"), os.path.join(tls, "current.pem"), cfg_time())  # absolute
    symlink("../legacy/cameras-2023.yaml", os.path.join(cfg, "cameras", "legacy.yaml"), cfg_time())  # dangling
    os.link(os.path.join(tls, "ca.pem"), os.path.join(rel_b, "conf", "ca.pem"))

    w.small(os.path.join(out, MARKER), marker_text(seed, total, []), ns(end_of_history))
    settle_directories(out, None, end_of_history)


def camera_yaml(w, site, cam):
    text = (f"camera: {cam}\nsite: \"{site}\"\nstream: rtsp://10.20.{w.below(16)}.{w.below(256)}:554/main\n"
            f"model: yolov8n-int8\nconfidence: 0.{w.between(35, 70)}\nfps: {w.pick((10, 15, 25))}\nzones:\n")
    for zone in ZONES[:w.between(1, 4)]:
        polygon = ", ".join(f"[{w.below(1920)}, {w.below(1080)}]" for _ in range(4))
        text += f"  - name: {zone}\n    polygon: [{polygon}]\n    direction: {w.pick(('in', 'out', 'both'))}\n"
    return text


def marker_text(seed, size, mutations):
    return json.dumps({"generator": GENERATOR, "format": FORMAT, "seed": seed, "size": size,
                       "days": len(mutations), "mutate_seeds": mutations}, indent=2) + "\n"


def copy_file(src, dst):
    """Copy bytes in blocks, then mode and mtime (like cp -p)."""
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    with open(src, "rb") as fin, open(dst, "wb") as fout:
        while True:
            block = fin.read(BLOCK)
            if not block:
                break
            fout.write(block)
    st = os.stat(src)
    os.chmod(dst, stat.S_IMODE(st.st_mode))
    set_mtime(dst, st.st_mtime_ns)


def copy_tree(src, dst):
    for d, _, files in sorted_walk(src):
        target = os.path.join(dst, os.path.relpath(d, src))
        os.makedirs(target, exist_ok=True)
        for name in files:
            copy_file(os.path.join(d, name), os.path.join(target, name))


def settle_directories(top, before, floor_t):
    """Give directories mtimes that follow from the tree, not from the clock.

    Creating or removing entries sets a directory's mtime to now. Walking bottom-up, a directory
    gets the newest mtime among its entries (or a time derived from its path when it is empty).
    With `before` (inode -> mtime_ns from an earlier walk), only directories that are new or whose
    mtime changed since are reset, and never to a time before floor_t.
    """
    dirs = [d for d, _, _ in sorted_walk(top)]
    for d in sorted(dirs, key=lambda p: (-p.count(os.sep), p)):
        st = os.lstat(d)
        if before is not None and before.get(st.st_ino) == st.st_mtime_ns:
            continue
        newest = max((os.lstat(os.path.join(d, e)).st_mtime_ns for e in os.listdir(d)), default=None)
        if newest is None:
            h = int.from_bytes(hashlib.sha256(os.path.relpath(d, top).encode()).digest()[:8], "big")
            newest = (LAST_DAY - 60 * DAY) * NS + h % (50 * DAY * NS)
        if before is not None:
            newest = max(newest, floor_t * NS)
        set_mtime(d, newest)


def directory_mtimes(top):
    return {os.lstat(d).st_ino: os.lstat(d).st_mtime_ns for d, _, _ in sorted_walk(top)}


# =============================================================================== mutate

def read_marker(top):
    path = os.path.join(top, MARKER)
    why = None
    if not os.path.isdir(top):
        why = "is not a directory"
    elif not os.path.isfile(path):
        why = f"has no {MARKER}"
    else:
        try:
            with open(path, encoding="utf-8") as f:
                marker = json.load(f)
            if (not isinstance(marker, dict) or marker.get("generator") != GENERATOR
                    or marker.get("format") != FORMAT
                    or not all(isinstance(marker.get(k), int) for k in ("seed", "size", "days"))):
                why = f"has a {MARKER} from another generator or format"
        except (OSError, ValueError) as e:
            why = f"has an unreadable {MARKER} ({e})"
    if why is None:
        missing = [d for d in ("app", "media", "logs", "config") if not os.path.isdir(os.path.join(top, d))]
        if missing:
            why = f"lacks {', '.join(missing)}/"
    if why:
        raise Refused(f"{top} does not look like a tree made by 'dataset.py generate': it {why}")
    return marker


def mutate(top, seed):
    top = os.path.abspath(top)
    marker = read_marker(top)
    day_no = marker["days"] + 1
    w = Writer(f"{seed}/{day_no}", "mutate")
    before = directory_mtimes(top)
    prev_day = LAST_DAY + (day_no - 1) * DAY   # the day the current logs belong to
    today = prev_day + DAY
    end_of_today = today + 23 * 3600
    stats = {"new": 0, "added": 0, "deleted": 0, "modified": 0}

    def ns(t):
        return int(t * NS) + w.below(NS)

    sizes = {}
    for d, _, files in sorted_walk(top):
        for name in files:
            p = os.path.join(d, name)
            st = os.lstat(p)
            if stat.S_ISREG(st.st_mode):
                sizes[p] = st.st_size
    # The day's changes are shares of the data, which the sparse file's hole is not.
    total = sum(size for p, size in sizes.items() if p != os.path.join(top, SPARSE))

    # ---------------------------------------------------------------- logs: finish, rotate, restart
    logs = os.path.join(top, "logs")
    current = [p for p in sizes if p.startswith(logs + os.sep) and
               os.path.basename(p) == os.path.basename(os.path.dirname(p)) + ".log"]
    current.sort()
    log_bytes = sum(sizes[p] for p in current) or 1
    for path in current:
        service = os.path.basename(os.path.dirname(path))
        append = max(200, total * 3 // 1000 * sizes[path] // log_bytes)
        with open(path, "ab") as f:
            stats["new"] += write_lines(f, append, w.log_lines(service, prev_day, 23 * 3600, DAY, append))
        rotated = os.path.join(os.path.dirname(path), f"{service}-{day_string(prev_day, '')}.log")
        os.rename(path, rotated)
        set_mtime(rotated, ns(prev_day + DAY - 1))
        fresh = max(200, total * 9 // 1000 * sizes[path] // log_bytes)
        stats["new"] += w.text(path, fresh, w.log_lines(service, today, 0, 23 * 3600, fresh), ns(end_of_today - 1))
        stats["added"] += 1

    # ---------------------------------------------------------------- media: new day, retention, re-mux
    media = os.path.join(top, "media")
    day_dirs = {}  # (site, cam) -> the day directories that hold its media
    for p in sizes:
        rel = os.path.relpath(p, media).split(os.sep)
        if len(rel) == 4 and rel[0] in SITES:
            day_dirs.setdefault((rel[0], rel[1]), set()).add(rel[2])
    cameras = sorted(day_dirs)
    seg_hi = min(64 * MIB, max(256 * KIB, marker["size"] // 40))
    img_hi = min(3 * MIB // 2, max(16 * KIB, marker["size"] // 800))
    seg_left = total * 11 // 1000
    img_left = total * 7 // 1000
    seq = 0
    while (seg_left > 0 or img_left > 0) and cameras:
        site, cam = w.pick(cameras)
        seq += 1
        tod = w.below(23 * 3600 - 120)
        hms = time.strftime("%H%M%S", time.gmtime(tod))
        folder = os.path.join(media, site, cam, day_string(today))
        if seg_left > 0:
            n = min(seg_left, w.between(seg_hi // 4, seg_hi))
            path = os.path.join(folder, f"{cam}_{day_string(today, '')}T{hms}_d{day_no}-{seq:04d}.mp4")
            seg_left -= w.binary(path, n, MP4_MAGIC, ns(today + tod + 60))
        else:
            n = min(img_left, w.log_uniform(max(2 * KIB, img_hi // 10), img_hi))
            path = os.path.join(folder, f"snap_{hms}_d{day_no}-{seq:04d}.jpg")
            img_left -= w.binary(path, n, JPEG_MAGIC, ns(today + tod))
        stats["new"] += n
        stats["added"] += 1
    # Retention: the oldest day of a few cameras goes (at least 3 files, about 0.6 % of the bytes).
    delete_left = total * 6 // 1000

    def deleted_enough():
        return delete_left <= 0 and stats["deleted"] >= 3

    for site, cam in w.shuffled(cameras):
        if deleted_enough():
            break
        days_held = sorted(day_dirs[(site, cam)])
        if len(days_held) < 2:
            continue
        folder = os.path.join(media, site, cam, days_held[0])
        for name in sorted(os.listdir(folder)):
            p = os.path.join(folder, name)
            delete_left -= sizes.get(p, 0)
            os.remove(p)
            stats["deleted"] += 1
            if deleted_enough():
                break
        if not os.listdir(folder):
            os.rmdir(folder)
    # Re-mux: insert bytes into the middle of the largest recording, so every later byte shifts.
    recordings = sorted((p for p in sizes if p.endswith(".mp4") and os.path.exists(p)
                         and os.sep + "exports" + os.sep not in p), key=lambda p: (-sizes[p], p))
    if recordings:
        stats["new"] += insert_middle(w, recordings[0], min(MIB, sizes[recordings[0]] // 8), ns(today + 5 * 3600))
        stats["modified"] += 1

    # ---------------------------------------------------------------- app: patch a jar, edit sources, rename
    app = os.path.join(top, "app")
    link = os.path.join(app, "current")
    release = os.path.normpath(os.path.join(app, os.readlink(link))) if os.path.islink(link) else None
    if not release or not os.path.isdir(release):
        releases = sorted(os.listdir(os.path.join(app, "releases")))
        release = os.path.join(app, "releases", releases[-1])
    jars = sorted((p for p in sizes if p.startswith(release + os.sep) and p.endswith(".jar")),
                  key=lambda p: (-sizes[p], p))
    if jars:
        jar = jars[0]
        with open(jar, "r+b") as f:
            spots = [(sizes[jar] // 2, 16 * KIB)] + [
                (sizes[jar] // 3 + w.below(max(1, sizes[jar] // 3)), 256) for _ in range(3)]
            for offset, length in spots:
                length = max(0, min(length, sizes[jar] - offset))
                f.seek(offset)
                f.write(w.noise(length))
                stats["new"] += length
        set_mtime(jar, ns(today + 10 * 3600))
        stats["modified"] += 1
    sources = [p for p in sizes if p.startswith(release + os.sep) and p.endswith((".java", ".py"))]
    for path in w.shuffled(sorted(sources))[:max(1, min(20, len(sources) // 100))]:
        with open(path, "rb") as f:
            lines = f.read().split(b"\n")
        at = w.below(len(lines))
        comment = b"#" if path.endswith(".py") else b"//"
        lines.insert(at, b"    " + comment + b" day %d: recalibrated %s threshold %d"
                     % (day_no, w.pick(ZONES).encode(), w.below(500)))
        data = b"\n".join(lines)
        with open(path, "wb") as f:
            f.write(data)
        set_mtime(path, ns(today + 10 * 3600 + w.below(3600)))
        stats["new"] += len(data) - sizes[path]
        stats["modified"] += 1
    renamed = "-"
    java = os.path.join(release, "src", "main", "java", "io", "countplatform")
    if os.path.isdir(java):
        packages = sorted(os.listdir(java))
        if packages:
            old = w.pick(packages)
            new = f"{old.split('_v')[0]}_v{day_no + 1}"
            os.rename(os.path.join(java, old), os.path.join(java, new))
            renamed = f"{old} -> {new}"

    # ---------------------------------------------------------------- config: touch, chmod, add
    cfg = os.path.join(top, "config")
    configs = sorted(p for p in sizes if p.startswith(cfg + os.sep) and os.lstat(p).st_nlink == 1)
    touched = w.shuffled(configs)[:max(1, min(8, len(configs) // 200))]
    for path in touched:
        set_mtime(path, ns(today + 9 * 3600))
    chmodded = w.pick(configs)
    mode = stat.S_IMODE(os.lstat(chmodded).st_mode)
    os.chmod(chmodded, 0o640 if mode != 0o640 else 0o600)
    cams = [c for _, c in CAMERAS]
    new_cam = f"cam-{len(cams) + day_no:03d}"
    path = os.path.join(cfg, "cameras", SITES[0], f"{new_cam}.yaml")
    stats["new"] += w.small(path, camera_yaml(w, SITES[0], new_cam), ns(today + 14 * 3600))
    stats["added"] += 1

    mutations = marker.get("mutate_seeds", []) + [seed]
    with open(os.path.join(top, MARKER), "w", encoding="utf-8") as f:
        f.write(marker_text(marker["seed"], marker["size"], mutations))
    set_mtime(os.path.join(top, MARKER), ns(end_of_today))
    settle_directories(top, before, today)
    stats.update(day=day_no, total=total, renamed=renamed, touched=len(touched),
                 chmodded=os.path.relpath(chmodded, top))
    return stats


def insert_middle(w, path, length, mtime_ns):
    """Insert `length` new bytes in the middle of path, streaming through a temporary file."""
    size = os.path.getsize(path)
    mode = stat.S_IMODE(os.stat(path).st_mode)
    tmp = os.path.join(os.path.dirname(path), "." + os.path.basename(path) + ".tmp")
    with open(path, "rb") as fin, open(tmp, "wb") as fout:
        left = size // 2
        while left > 0:
            block = fin.read(min(BLOCK, left))
            fout.write(block)
            left -= len(block)
        fout.write(w.noise(length))
        while True:
            block = fin.read(BLOCK)
            if not block:
                break
            fout.write(block)
    os.chmod(tmp, mode)
    os.replace(tmp, path)
    set_mtime(path, mtime_ns)
    return length


# =============================================================================== summary, main

def summary(top):
    files = dirs = links = size = disk = 0
    seen = set()
    for d, dnames, fnames in sorted_walk(top):
        dirs += 1
        for name in dnames + fnames:
            st = os.lstat(os.path.join(d, name))
            if stat.S_ISLNK(st.st_mode):
                links += 1
            elif stat.S_ISREG(st.st_mode):
                files += 1
                if (st.st_dev, st.st_ino) not in seen:
                    seen.add((st.st_dev, st.st_ino))
                    size += st.st_size
                    disk += st.st_blocks * 512
    return (f"{files} files, {dirs} dirs, {links} symlinks, {size} bytes apparent "
            f"({size / MIB:.1f} MiB, {disk / MIB:.1f} MiB allocated)")


START_SH = """#!/bin/sh
# Starts the counting platform of this release with the configuration in ../conf.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
exec java -Xms512m -Xmx2g -cp "$here/lib/*" io.countplatform.Main --config "$here/conf" "$@"
"""

HEALTHCHECK_SH = """#!/bin/sh
# Exits non-zero when a camera has not reported a count for more than five minutes.
set -eu
log=${1:-/srv/countplatform/logs/counter-worker/counter-worker.log}
now=$(date -u +%s)
tail -n 20000 "$log" | awk -v now="$now" '{ print }' >/dev/null
echo ok
"""

APP_README = """# Camera counting platform

releases/ holds the deployed releases, current points at the running one. var/lib/counts.db is
the local counts cache.
"""


def main():
    parser = argparse.ArgumentParser(
        prog="dataset.py", description=__doc__.split("\n\n")[0],
        epilog="See the top of bench/dataset.py for the layout of the tree and the list of changes.")
    sub = parser.add_subparsers(dest="command", required=True)
    gen = sub.add_parser("generate", help="write a new dataset tree into OUT_DIR (absent or empty)")
    gen.add_argument("out_dir", metavar="OUT_DIR")
    gen.add_argument("--size", type=parse_size, default=parse_size("1G"),
                     help="approximate total bytes: 1G, 200M, 512K or plain bytes (default 1G)")
    gen.add_argument("--seed", type=int, default=1, help="default 1")
    mut = sub.add_parser("mutate", help="apply one day of changes to a generated tree")
    mut.add_argument("dir", metavar="DIR")
    mut.add_argument("--seed", type=int, default=2, help="default 2")
    args = parser.parse_args()
    os.umask(0o022)
    started = time.monotonic()
    try:
        if args.command == "generate":
            out = args.out_dir
            if os.path.lexists(out) and (not os.path.isdir(out) or os.listdir(out)):
                raise Refused(f"{out} exists and is not an empty directory")
            os.makedirs(out, exist_ok=True)
            generate(out, args.size, args.seed)
            print(f"dataset.py generate: {out}: {summary(out)}; seed {args.seed}, size {args.size}, "
                  f"{time.monotonic() - started:.1f} s", file=sys.stderr)
        else:
            s = mutate(args.dir, args.seed)
            print(f"dataset.py mutate: {args.dir}: day {s['day']}, {s['new']} new bytes "
                  f"({100 * s['new'] / max(1, s['total']):.1f} %), {s['added']} files added, "
                  f"{s['deleted']} deleted, {s['modified']} modified, renamed {s['renamed']}, "
                  f"{s['touched']} touched, chmod {s['chmodded']}; now {summary(args.dir)}; "
                  f"seed {args.seed}, {time.monotonic() - started:.1f} s", file=sys.stderr)
    except Refused as e:
        print(f"dataset.py: {e}", file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
