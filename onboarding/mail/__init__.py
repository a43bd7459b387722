"""Outgoing mail: rendering and queueing (queue.py), the SMTP backend (smtp.py), the worker (worker.py)."""
