import os
import sys

from gan_core.cli import main

try:
    sys.exit(main())
except BrokenPipeError:  # `python -m gan_core … --json | head`: the reader left; no traceback
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    sys.exit(1)
