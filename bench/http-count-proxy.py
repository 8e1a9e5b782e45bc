#!/usr/bin/env python3
"""A TCP proxy in front of an HTTP/1.1 server that counts the requests passing through it.

Bytes are forwarded untouched in both directions (so `Expect: 100-continue`, keep-alive and
pipelining work as they would without it); a passive parser follows the client's byte stream to
find where each request starts and ends (Content-Length or chunked bodies) and counts it by kind:
GET, LIST (a GET of a bucket itself, `/BUCKET` or `/BUCKET/?...` in path-style addressing), PUT,
POST (multipart create/complete, multi-delete), HEAD, DELETE, and any other method. It also counts
the bytes on the wire each way (headers included), the request body bytes, and TCP connections.

  http-count-proxy.py serve LISTEN_PORT UPSTREAM_PORT CONTROL_PORT   (all on 127.0.0.1)
  http-count-proxy.py stats CONTROL_PORT [--reset]

`stats` prints the counters as one line of `name=value` fields; `--reset` zeroes them in the same
step, so a reset before a measured command and a `stats --reset` after it give that command's
figures. Python 3 standard library only; used by bench/s3-vs-restic.sh.
"""
import argparse
import asyncio
import socket
import sys

KINDS = ("GET", "LIST", "PUT", "POST", "HEAD", "DELETE", "OTHER")
FIELDS = ("requests",) + KINDS + ("up_bytes", "body_bytes", "down_bytes", "connections", "parse_errors")


class Counters:
    def __init__(self):
        self.reset()

    def reset(self):
        self.values = dict.fromkeys(FIELDS, 0)

    def add(self, name, n=1):
        self.values[name] += n

    def line(self):
        return " ".join(f"{k}={self.values[k]}" for k in FIELDS)


COUNTERS = Counters()


def kind(method, target):
    if method == "GET":
        path = target.split("?", 1)[0]
        if path.startswith("http://") or path.startswith("https://"):  # absolute form
            path = "/" + path.split("/", 3)[3] if path.count("/") >= 3 else "/"
        if path.strip("/").count("/") == 0 and path.strip("/"):
            return "LIST"  # /BUCKET or /BUCKET/ (ListObjects, GetBucketLocation...)
        return "GET"
    return method if method in KINDS else "OTHER"


class RequestParser:
    """Follows one connection's client-to-server bytes: request heads, then bodies."""

    def __init__(self):
        self.state = "head"
        self.buf = bytearray()
        self.remaining = 0
        self.broken = False

    def feed(self, data):
        if self.broken:
            return
        view = memoryview(data)
        i = 0
        try:
            while i < len(view):
                if self.state in ("body", "chunk-data"):
                    n = min(self.remaining, len(view) - i)
                    COUNTERS.add("body_bytes", n)
                    self.remaining -= n
                    i += n
                    if self.remaining == 0:
                        self.state = "head" if self.state == "body" else "chunk-crlf"
                    continue
                # line-oriented states: collect up to the end of the head or of a line
                end = b"\r\n\r\n" if self.state == "head" else b"\r\n"
                start = max(0, len(self.buf) - len(end) + 1)
                self.buf += view[i:]
                pos = self.buf.find(end, start)
                if pos < 0:
                    if len(self.buf) > 1 << 20:
                        raise ValueError("line or head longer than 1 MiB")
                    return
                consumed = pos + len(end) - (len(self.buf) - (len(view) - i))
                text = bytes(self.buf[:pos])
                self.buf.clear()
                i += consumed
                self.line(text)
        except (ValueError, IndexError) as e:
            self.broken = True
            COUNTERS.add("parse_errors")
            print(f"http-count-proxy: cannot follow a connection any more: {e}", file=sys.stderr)

    def line(self, text):
        if self.state == "head":
            if not text.strip():  # stray CRLF between requests
                return
            lines = text.decode("latin-1").split("\r\n")
            method, target, _ = lines[0].split(" ", 2)
            headers = {}
            for h in lines[1:]:
                name, _, value = h.partition(":")
                headers[name.strip().lower()] = value.strip()
            COUNTERS.add("requests")
            COUNTERS.add(kind(method, target))
            if "chunked" in headers.get("transfer-encoding", "").lower():
                self.state = "chunk-size"
            elif int(headers.get("content-length", "0") or 0) > 0:
                self.state, self.remaining = "body", int(headers["content-length"])
        elif self.state == "chunk-size":
            size = int(text.split(b";", 1)[0].strip(), 16)
            self.state, self.remaining = ("trailer", 0) if size == 0 else ("chunk-data", size)
        elif self.state == "chunk-crlf":
            if text:
                raise ValueError("no CRLF after a chunk")
            self.state = "chunk-size"
        elif self.state == "trailer":
            if not text:
                self.state = "head"


async def pump(reader, writer, count, parser=None):
    try:
        while True:
            data = await reader.read(256 * 1024)
            if not data:
                break
            COUNTERS.add(count, len(data))
            if parser:
                parser.feed(data)
            writer.write(data)
            await writer.drain()
    except (ConnectionError, OSError):
        pass
    finally:
        try:
            if writer.can_write_eof():
                writer.write_eof()
        except (ConnectionError, OSError, RuntimeError):
            pass


async def client(reader, writer, upstream_port):
    COUNTERS.add("connections")
    try:
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", upstream_port)
    except OSError as e:
        print(f"http-count-proxy: cannot reach 127.0.0.1:{upstream_port}: {e}", file=sys.stderr)
        writer.close()
        return
    for w in (writer, up_writer):
        w.get_extra_info("socket").setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    await asyncio.gather(pump(reader, up_writer, "up_bytes", RequestParser()),
                         pump(up_reader, writer, "down_bytes"))
    for w in (writer, up_writer):
        w.close()


async def control(reader, writer):
    command = (await reader.readline()).decode().strip()
    writer.write((COUNTERS.line() + "\n").encode())
    if command == "reset":
        COUNTERS.reset()
    await writer.drain()
    writer.close()


async def serve(port, upstream, control_port):
    proxy = await asyncio.start_server(lambda r, w: client(r, w, upstream), "127.0.0.1", port, backlog=512)
    ctl = await asyncio.start_server(control, "127.0.0.1", control_port)
    print(f"http-count-proxy: 127.0.0.1:{port} -> 127.0.0.1:{upstream}, control on {control_port}", flush=True)
    async with proxy, ctl:
        await asyncio.gather(proxy.serve_forever(), ctl.serve_forever())


def stats(control_port, reset):
    with socket.create_connection(("127.0.0.1", control_port), timeout=10) as s:
        s.sendall(b"reset\n" if reset else b"stats\n")
        data = b""
        while not data.endswith(b"\n"):
            more = s.recv(4096)
            if not more:
                break
            data += more
    sys.stdout.write(data.decode())


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="command", required=True)
    s = sub.add_parser("serve")
    s.add_argument("port", type=int)
    s.add_argument("upstream_port", type=int)
    s.add_argument("control_port", type=int)
    t = sub.add_parser("stats")
    t.add_argument("control_port", type=int)
    t.add_argument("--reset", action="store_true")
    a = p.parse_args()
    if a.command == "serve":
        try:
            asyncio.run(serve(a.port, a.upstream_port, a.control_port))
        except KeyboardInterrupt:
            pass
    else:
        stats(a.control_port, a.reset)


if __name__ == "__main__":
    main()
