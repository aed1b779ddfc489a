"""The ``backprop-explorer`` command: ``backprop-explorer [serve] [--host] [--port] [--db]``."""

from __future__ import annotations

import argparse
import os
import sys

from engine import __version__


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and run the server (``serve`` is the default command)."""
    parser = argparse.ArgumentParser(prog="backprop-explorer",
                                     description="A visual, exact explorer of backpropagation.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command")
    serve = sub.add_parser("serve", help="start the explorer (the default)")
    for p in (parser, serve):
        p.add_argument("--host", default="127.0.0.1", help="address to listen on")
        p.add_argument("--port", type=int, default=8000, help="port to listen on")
        p.add_argument("--db", default=None, help="SQLite database file (default explorer.db)")
    args = parser.parse_args(argv)
    if args.db:
        # Settings read the environment once, at import of app.core.config (below).
        os.environ["BPE_DB_PATH"] = args.db
    import uvicorn

    print(f"Backprop Explorer {__version__}: http://{args.host}:{args.port}/", file=sys.stderr)
    uvicorn.run("app.main:app", host=args.host, port=args.port, log_level="warning")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
