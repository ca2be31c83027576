"""`newsradar health`: exit 0 while the local worker consumes, 1 when it has stalled or is down.

The Docker HEALTHCHECK runs it inside the worker's container; it asks the worker's own
/health page (NEWSRADAR_WEB__HOST:NEWSRADAR_WEB__PORT).
"""

from __future__ import annotations

import argparse
import json
import sys
import urllib.error
import urllib.request

from streams.settings import Settings

NAME = "health"
HELP = "check that the worker on this machine is consuming (exit 0) or not (exit 1)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--url", help="the worker's /health URL (default: from the settings)")
    parser.add_argument("--timeout", type=float, default=5.0, help="seconds to wait")


def health_url(settings: Settings) -> str:
    host = settings.web.host if settings.web.host not in {"0.0.0.0", "::", ""} else "127.0.0.1"
    return f"http://{host}:{settings.web.port}/health"


def run(args: argparse.Namespace, settings: Settings) -> int:
    url = args.url or health_url(settings)
    try:
        with urllib.request.urlopen(url, timeout=args.timeout) as response:
            verdict = json.load(response)
    except urllib.error.HTTPError as error:
        verdict = _body(error)
    except (OSError, ValueError) as error:
        print(f"unhealthy: worker not answering at {url}: {error}", file=sys.stderr)
        return 1
    healthy = bool(verdict.get("healthy"))
    print(f"{'healthy' if healthy else 'unhealthy'}: {verdict.get('reason', '')}")
    return 0 if healthy else 1


def _body(error: urllib.error.HTTPError) -> dict[str, object]:
    try:
        return dict(json.load(error))
    except ValueError:
        return {"healthy": False, "reason": f"HTTP {error.code}"}
