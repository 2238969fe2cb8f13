"""Benchmarks that print numbers (not tests): lan-notify's hub against the seed guide's Node server."""
