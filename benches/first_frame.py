#!/usr/bin/env python3
"""Time from starting `trustlens --demo` in a pseudo-terminal (120x40) to its first frame and to
the frame that shows every role's verdict. Run after `cargo build --release`; prints medians.
"""
import fcntl
import os
import pty
import select
import statistics
import struct
import sys
import termios
import time

RUNS = 15
BINARY = os.environ.get("TRUSTLENS", "target/release/trustlens")


def once():
    start = time.perf_counter()
    pid, fd = pty.fork()
    if pid == 0:
        os.environ["TERM"] = "xterm-256color"
        os.execv(BINARY, [BINARY, "--demo"])
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    seen, first, verdicts = b"", None, None
    while verdicts is None and time.perf_counter() - start < 10:
        ready, _, _ = select.select([fd], [], [], 0.5)
        if not ready:
            continue
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            break
        seen += chunk
        if first is None and b"trustlens" in seen:
            first = time.perf_counter() - start
        if "Roles ✔".encode() in seen:
            verdicts = time.perf_counter() - start
    os.write(fd, b"q")
    os.waitpid(pid, 0)
    os.close(fd)
    return first, verdicts


def main():
    results = [once() for _ in range(RUNS)]
    firsts = [r[0] for r in results if r[0] is not None]
    verdicts = [r[1] for r in results if r[1] is not None]
    print(f"first frame: {statistics.median(firsts) * 1000:.1f} ms (median of {len(firsts)})")
    print(f"all verdicts shown: {statistics.median(verdicts) * 1000:.1f} ms (median of {len(verdicts)})")


if __name__ == "__main__":
    sys.exit(main())
