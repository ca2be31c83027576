"""`python -m streams` is the newsradar CLI."""

from streams.cli import main

raise SystemExit(main())
