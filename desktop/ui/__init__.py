"""Thin Qt widgets: they show what they are given and emit what the user asked for; `desktop.app` wires them."""
