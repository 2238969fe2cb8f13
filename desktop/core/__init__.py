"""The app's logic without Qt: connection states, unread counts, the toast policy, do not disturb, compose,
the directory of people and rooms, trust, preferences, the local history."""
