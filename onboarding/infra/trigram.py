"""The PostgreSQL trigram index behind the admin's search (username, email, full name; Korean too)."""

# (index name, table, column): Django's icontains on PostgreSQL is UPPER(column::text) LIKE UPPER('%…%'),
# which a GIN index on the same expression with gin_trgm_ops answers (pg_trgm hashes any letters, Hangul too).
# One index on User.search_text: each word of a search is one more condition on the same index, which
# PostgreSQL intersects inside it, so "Amelia Clar" reads only the rows holding both.
TRIGRAM_INDEXES = [
    ("user_search_text_trgm", "onboarding_user", "search_text"),
]


def create_trigram_indexes(execute):
    """Create the indexes (and the extension) with `execute(sql)`; a no-op for those that exist."""
    execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table, column in TRIGRAM_INDEXES:
        execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin ((UPPER({column}::text)) gin_trgm_ops)")


def drop_trigram_indexes(execute):
    for name, _table, _column in TRIGRAM_INDEXES:
        execute(f"DROP INDEX IF EXISTS {name}")
