"""``python -m ipsim`` is the ``ipsim`` command."""

import sys

from ipsim.cli import main

sys.exit(main())
