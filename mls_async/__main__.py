import sys

from mls_async.cli import main

sys.exit(main())
