"""Run the command line: ``python -m ictanalysis``."""

from ictanalysis.cli import main

raise SystemExit(main())
