"""``python -m albacore.cli``: the ``albacore`` command, for environments where its script is not on PATH."""

import sys

from albacore.cli import main

if __name__ == "__main__":
    sys.exit(main())
