"""Serve the fixture sites until standard input ends: `python -m portalwatch.fixture_sites [--scale N]`.

Prints one JSON line with the base URLs, then answers one JSON line per command line read:
{"command": "version", "version": 2}, {"command": "requests"}, {"command": "clear"}.
"""

from __future__ import annotations

import argparse
import json
import sys

from portalwatch.fixture_sites.sites import FixtureSites


def _answer(sites: FixtureSites, line: str) -> dict:
    try:
        command = json.loads(line)
        match command.get("command"):
            case "version":
                sites.set_version(int(command["version"]))
                return {"ok": True}
            case "requests":
                return {"requests": [list(record) for record in sites.requests]}
            case "clear":
                sites.clear_requests()
                return {"ok": True}
        return {"error": f"unknown command: {line.strip()}"}
    except (ValueError, KeyError, TypeError) as exc:
        return {"error": f"bad command {line.strip()!r}: {exc}"}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m portalwatch.fixture_sites", description=__doc__)
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--flaky-failures", type=int, default=2)
    parser.add_argument("--slow-seconds", type=float, default=3.0)
    parser.add_argument("--pass-uses", type=int, default=20)
    parser.add_argument("--solver-seconds", type=float, default=0.0)
    args = parser.parse_args(argv)
    with FixtureSites(args.scale, args.flaky_failures, args.slow_seconds, pass_uses=args.pass_uses,
                      solver_seconds=args.solver_seconds) as sites:
        portals = sites.portals(browser=True)
        print(json.dumps({"base_urls": sites.base_urls, "portals": portals}, ensure_ascii=False), flush=True)
        for line in sys.stdin:
            print(json.dumps(_answer(sites, line), ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
