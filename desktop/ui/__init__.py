"""Thin Qt widgets: they show what they are given and emit what the user asked for; the flows of `desktop.app`
wire them to the logic."""
