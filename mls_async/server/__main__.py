import sys

from mls_async.server.cli import main

sys.exit(main())
