"""`python -m desktop.app`: `notify-tray` from a source checkout."""

from desktop.app.main import main

raise SystemExit(main())
