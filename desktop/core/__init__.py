"""The app's logic without Qt: connection states, unread counts, the toast policy, the local history."""
