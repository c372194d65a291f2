"""``python -m bench.lag`` — the event-loop lag while the server's workers hash passwords, with no browser on the
machine (a diagnostic: measurement 3 shares the two cores with sixteen Chromium renderers).

Starts the server as ``python -m bench`` does, then runs bursts of 16 argon2id hashes in its worker processes
(``/_bench/hash-burst``) and prints the lag monitor's p99 and maximum over every tick of the bursts, and the
time the hypervisor took from the VM meanwhile."""

from __future__ import annotations

import argparse

import httpx

from bench.harness import fresh_server, percentile, steal_ms
from bench.hooks import HASH_BURST_MAX


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.lag", description=__doc__)
    parser.add_argument("--bursts", type=int, default=5, help="bursts of hashes (default 5)")
    parser.add_argument(
        "--hashes",
        type=int,
        choices=range(1, HASH_BURST_MAX + 1),
        metavar=f"1..{HASH_BURST_MAX}",
        default=16,
        help="hashes per burst (default 16)",
    )
    args = parser.parse_args(argv)
    server = fresh_server("lag")
    try:
        with httpx.Client(base_url=server.base_url, timeout=120) as http:
            http.get("/_bench/hash-burst", params={"count": 2}).raise_for_status()  # warm up every worker
            lags: list[float] = []
            stolen = 0.0
            for _ in range(args.bursts):
                http.get("/_bench/lag", params={"reset": True}).raise_for_status()
                before = steal_ms()
                http.get("/_bench/hash-burst", params={"count": args.hashes}).raise_for_status()
                stolen += steal_ms() - before
                lags += http.get("/_bench/lag", params={"raw": True}).json()["values_ms"]
    finally:
        server.stop()
    p99 = percentile(lags, 0.99)
    print(
        f"{args.bursts} bursts of {args.hashes} hashes, no browser: lag p99 {p99:.1f} ms, max {max(lags):.1f} ms "
        f"over {len(lags)} ticks of 5 ms; {stolen:.0f} ms stolen by the host"
    )


if __name__ == "__main__":
    main()
