"""The bundle's entry point: the same `skinlens` command as the console script."""

from desktop.cli import main

raise SystemExit(main())
