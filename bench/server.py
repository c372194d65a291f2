"""The portal's server as the benchmark starts it: ``python main.py`` (the same command line, settings and app)
with the measuring hooks of ``bench/hooks.py`` mounted. The product never imports this module or the hooks;
``python -m bench`` starts its servers as ``python -m bench.server``."""

from __future__ import annotations

import sys

if __name__ == "__main__":  # not "__mp_main__": the service worker processes import this file too
    from bench import hooks
    from ui.cli import main

    hooks.register()  # pages and endpoints added to NiceGUI's app before main() runs it
    status = main()
    if status:
        sys.exit(status)
