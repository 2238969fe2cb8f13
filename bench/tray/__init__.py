"""Resource figures of the tray app (`python -m bench.tray`): numbers, not timed tests.

- idle: the real `notify-tray` process signed in to a hub and left alone: its RSS, CPU time and how
  often its threads wake up (context switches a minute);
- history: the same with 10,000 notifications in its local history, the history window open; and in
  this process, how long a search takes from the query to the rows shown, and the memory of all pages;
- burst: the app's own code (`TrayApp`) on a qasync loop while another process sends it 1,000
  notifications at once: how long the event loop was blocked, at most.

Figures and targets: docs/performance.md, "The tray app".
"""
