"""Reseller Portal. ``python main.py`` starts the server (seeding the demo on an empty database);
``python main.py invite --distributor NAME`` prints a new activation link. See ``--help``."""

import sys

from ui.cli import main

if __name__ == "__main__":  # not "__mp_main__": the hashing processes import this file too
    status = main()
    if status:
        sys.exit(status)
