"""Run a Python program while recording every socket connect and name lookup it makes.

    python tests/netwatch.py LOGFILE -m module args...   |   python tests/netwatch.py LOGFILE script.py args...

Each `socket.connect`, `socket.bind` and `socket.getaddrinfo` audit event is appended to LOGFILE as a JSON line
as it happens, so the record survives the program being terminated.
"""

import json
import os
import runpy
import sys


def main() -> None:
    log_path, rest = sys.argv[1], sys.argv[2:]
    log = open(log_path, "a", buffering=1, encoding="utf-8")

    def hook(event, args):
        if event == "socket.connect":
            log.write(json.dumps({"event": event, "address": repr(args[1])}) + "\n")
        elif event == "socket.bind":  # never outbound; recorded so that a server that only listens leaves a trace
            log.write(json.dumps({"event": event, "address": repr(args[1])}) + "\n")
        elif event == "socket.getaddrinfo":
            log.write(json.dumps({"event": event, "host": repr(args[0]), "port": repr(args[1])}) + "\n")

    sys.addaudithook(hook)
    # As `python -m mod` / `python script.py` would: the current folder / the script's folder comes
    # first on sys.path, not this file's folder, so the program imports the code beside it.
    sys.path[0] = os.getcwd() if rest[0] == "-m" else os.path.dirname(os.path.abspath(rest[0]))
    if rest[0] == "-m":
        sys.argv = [rest[1], *rest[2:]]
        runpy.run_module(rest[1], run_name="__main__", alter_sys=True)
    else:
        sys.argv = rest
        runpy.run_path(rest[0], run_name="__main__")


if __name__ == "__main__":
    main()
