"""``python -m vacuity`` is the ``vacuity`` command."""

from vacuity.cli import main

main()
