"""`python -m nasdsl.cli`."""

import sys

from nasdsl.cli import main

sys.exit(main())
