"""A ``$VACUITY_PLUGINS`` module for subprocess tests: importing it replaces the registered claims by
the fakes named in ``$VACUITY_FAKES`` (comma-separated ids; all fakes when unset)."""

import os
import sys

from tests.cli import cli_fakeclaims
from vacuity.proofs_checked.core import registry

sys.modules[cli_fakeclaims.QUALNAME] = cli_fakeclaims
fakes = cli_fakeclaims.everything()
wanted = os.environ.get("VACUITY_FAKES")
registry.CLAIMS.clear()  # the real claims are slow; the subprocess tests exercise the CLI, not them
for cid in wanted.split(",") if wanted else fakes:
    registry.register(fakes[cid])
