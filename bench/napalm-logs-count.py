"""The bench's counter for napalm-logs (bench/knee-napalm-logs.ts): a ZeroMQ SUB on napalm-logs'
zmq publisher (security disabled: plain msgpack), run with .venv-bench's python.

    python napalm-logs-count.py tcp://127.0.0.1:PORT [--decode]

Prints one line per published message: the message's `seq=` token (what the bench appended to
the raw line) or `-`, and with --decode also its napalm-logs error tag and OS
(`<seq> <error> <os>`). Without --decode the message is not unpacked: the token is searched in
the msgpack bytes (its raw text is in message_details as a plain string), so the counter costs
the machine little next to the daemon it counts. Output is flushed every 50 ms; stops on SIGTERM.
"""
import re
import signal
import sys
import time

import zmq

SEQ = re.compile(rb"seq=([0-9a-z]+)")


def main() -> None:
    url = sys.argv[1]
    decode = "--decode" in sys.argv[2:]
    if decode:
        import umsgpack
    ctx = zmq.Context()
    sub = ctx.socket(zmq.SUB)
    sub.setsockopt(zmq.RCVHWM, 0)
    sub.setsockopt(zmq.SUBSCRIBE, b"")
    sub.connect(url)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    out = sys.stdout
    out.write("ready\n")
    out.flush()
    poller = zmq.Poller()
    poller.register(sub, zmq.POLLIN)
    last = time.monotonic()
    buf = []
    while True:
        if poller.poll(50):
            while True:
                try:
                    raw = sub.recv(zmq.NOBLOCK)
                except zmq.Again:
                    break
                m = SEQ.search(raw)
                seq = m.group(1).decode() if m else "-"
                if decode:
                    obj = umsgpack.unpackb(raw)
                    buf.append(f"{seq} {obj.get('error')} {obj.get('os')}\n")
                else:
                    buf.append(seq + "\n")
        now = time.monotonic()
        if buf and now - last >= 0.05:
            out.write("".join(buf))
            out.flush()
            buf.clear()
            last = now


if __name__ == "__main__":
    main()
