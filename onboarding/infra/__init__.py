"""Infrastructure under the flows: cache counters, sessions, the PostgreSQL backend, middleware, logs, health."""
