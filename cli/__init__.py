"""The ``kbsearch`` command line."""
