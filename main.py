"""Reseller Portal. ``python main.py`` starts the server on an existing database (``PORTAL_DEMO=1``, as
scripts/run.sh sets, creates it and seeds the demo); ``python main.py init`` creates an empty one;
``python main.py invite --distributor NAME`` prints a new activation link. See ``--help``."""

import sys

if __name__ == "__main__":  # not "__mp_main__": the service worker processes import this file too
    from ui.cli import main

    status = main()
    if status:
        sys.exit(status)
