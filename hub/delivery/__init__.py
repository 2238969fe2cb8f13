"""Delivery: who may send what to whom, the durable pipeline, fan-out, replay, cursors, presence, limits."""
