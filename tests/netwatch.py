"""Run a Python program while recording every socket connect and name lookup it makes.

    python tests/netwatch.py LOGFILE -m module args...   |   python tests/netwatch.py LOGFILE script.py args...

Each `socket.connect` and `socket.getaddrinfo` audit event is appended to LOGFILE as a JSON line
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
        elif event == "socket.getaddrinfo":
            log.write(json.dumps({"event": event, "host": repr(args[0]), "port": repr(args[1])}) + "\n")

    sys.addaudithook(hook)
    # sys.path as `python -m X` / `python script.py` would have it: the current folder, or the
    # script's folder, first (not this file's folder)
    if rest[0] == "-m":
        sys.path[0] = os.getcwd()
        sys.argv = [rest[1], *rest[2:]]
        runpy.run_module(rest[1], run_name="__main__", alter_sys=True)
    else:
        sys.path[0] = os.path.dirname(os.path.abspath(rest[0]))
        sys.argv = rest
        runpy.run_path(rest[0], run_name="__main__")


if __name__ == "__main__":
    main()
