"""One module per measurement group of ``python -m bench`` (``__main__.GROUPS`` lists them)."""
