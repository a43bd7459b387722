"""seed_signups on PostgreSQL: each batch of users, profiles and log entries made by the server in one statement.

A million rows through Python cost minutes of object building; generate_series and one INSERT per table
per batch cost seconds. The names come from the same list the Python path uses.
"""

from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction

from onboarding.identities import email_key, username_key
from onboarding.infra.trigram import create_trigram_indexes, drop_trigram_indexes
from onboarding.models import Profile, User

# Past this many rows, dropping the trigram indexes and building them again once is quicker than
# updating them row by row.
REBUILD_INDEXES_FROM = 100_000

BATCH_SQL = """
WITH people AS MATERIALIZED (
    SELECT nextval(pg_get_serial_sequence(%(user_table)s, 'id')) AS id,
           1 + (n %% %(pool)s) AS who,
           (%(statuses)s::text[])[1 + n %% %(cycle)s] AS status,
           %(now)s::timestamptz - random() * make_interval(days => %(spread)s) AS joined,
           floor(random() * 3)::int AS domain, random() AS has_phone, random() AS korean_phone,
           -- review/risk.py's levels as a rank: about 1 in 20 high, 3 in 20 medium, so the Risk filter and
           -- sort have something to find
           CASE WHEN random() < 0.05 THEN 2 WHEN random() < 0.16 THEN 1 ELSE 0 END AS risk
    FROM generate_series(%(start)s::bigint, %(stop)s::bigint) AS n
), users AS (
    INSERT INTO {user} (id, password, is_superuser, username, first_name, last_name, email, is_staff,
                        is_active, date_joined, username_key, email_key, search_text)
    SELECT id, %(hash)s, false, (%(stems)s::text[])[who] || '.' || id, '', '',
           (%(stems)s::text[])[who] || '.' || id || '@' || (%(domains)s::text[])[1 + domain], false,
           status = 'approved' OR (status = 'pending' AND %(pending_active)s), joined,
           (%(stem_keys)s::text[])[who] || '.' || id,
           (%(stem_keys)s::text[])[who] || '.' || id || '@' || (%(domain_keys)s::text[])[1 + domain],
           -- models.search_text(): username, email and full name, one per line
           (%(stems)s::text[])[who] || '.' || id || E'\n' ||
           (%(stems)s::text[])[who] || '.' || id || '@' || (%(domains)s::text[])[1 + domain] || E'\n' ||
           (%(names)s::text[])[who]
    FROM people
), profiles AS (
    INSERT INTO {profile} (user_id, real_name, preferred_name, phone, review_status, reviewed_by_id,
                           reviewed_at, review_note, language, time_zone, risk_level, risk_rank, risk_reasons)
    SELECT id, (%(names)s::text[])[who], (%(preferred)s::text[])[who],
           CASE WHEN has_phone < 0.3 THEN ''
                WHEN korean_phone < 0.7 THEN '+82 10 ' || (1000 + (id * 7919) %% 9000) || ' ' || (1000 + id %% 9000)
                ELSE '+44 20 7946 ' || lpad((id %% 1000)::text, 4, '0') END,
           status,
           CASE WHEN status <> 'pending' THEN %(reviewer)s::bigint END,
           CASE WHEN status <> 'pending' THEN %(now)s::timestamptz END,
           '',
           CASE WHEN (%(names)s::text[])[who] ~ '[가-힣]' THEN 'ko' ELSE 'en' END,
           '',  -- no browser told us its zone: the language's default applies, as for seed_signups elsewhere
           (ARRAY['low', 'medium', 'high'])[1 + risk], risk,
           (ARRAY['[]', '["too_fast"]', '["busy_network", "too_fast"]'])[1 + risk]::jsonb
    FROM people
)
INSERT INTO {log} (action_time, user_id, content_type_id, object_id, object_repr, action_flag, change_message)
SELECT %(now)s::timestamptz, %(reviewer)s::bigint, %(content_type)s, id::text,
       (%(stems)s::text[])[who] || '.' || id, %(change)s,
       CASE status WHEN 'approved' THEN %(approved_message)s ELSE %(rejected_message)s END
FROM people
WHERE status <> 'pending'
"""


def seed(
    *,
    count,
    batch,
    people,
    statuses,
    domains,
    spread_days,
    password_hash,
    reviewer,
    messages,
    now,
    pending_active,
    progress,
):
    """Write `count` signups in batches; people is a list of (full name, preferred name, username stem)."""
    sql = BATCH_SQL.format(
        user=connection.ops.quote_name(User._meta.db_table),
        profile=connection.ops.quote_name(Profile._meta.db_table),
        log=connection.ops.quote_name(LogEntry._meta.db_table),
    )
    params = {
        "user_table": User._meta.db_table,
        "pool": len(people),
        "names": [name for name, _, _ in people],
        "preferred": [preferred for _, preferred, _ in people],
        "stems": [stem for _, _, stem in people],
        # The keys the unique constraints compare (onboarding/identities.py), as User.save() would store them.
        "stem_keys": [username_key(stem) for _, _, stem in people],
        "domain_keys": [email_key(f"x@{domain}").partition("@")[2] for domain in domains],
        "statuses": [str(status) for status in statuses],
        "cycle": len(statuses),
        "now": now,
        "spread": spread_days,
        "domains": domains,
        "hash": password_hash,
        "pending_active": pending_active,
        "reviewer": reviewer.pk if reviewer else None,
        "content_type": ContentType.objects.get_for_model(User, for_concrete_model=False).pk,
        "change": CHANGE,
        "approved_message": messages["approved"],
        "rejected_message": messages["rejected"],
    }
    rebuild = count >= REBUILD_INDEXES_FROM
    with connection.cursor() as cursor:
        # Seeding runs statements of many seconds: no limit for this session (a web request keeps its own).
        cursor.execute("SET statement_timeout = 0")
        connection.connection.answer_timeout = None
        if rebuild:
            drop_trigram_indexes(cursor.execute)
        try:
            for start in range(0, count, batch):
                stop = min(start + batch, count) - 1
                with transaction.atomic():
                    # Demo rows: a crash may lose the last batch, which is quicker than waiting on the disk.
                    cursor.execute("SET LOCAL synchronous_commit = off")
                    cursor.execute(sql, {**params, "start": start, "stop": stop})
                progress(stop - start + 1)
        finally:
            if rebuild:
                # More memory for the sort makes building them several times quicker.
                cursor.execute("SET maintenance_work_mem = '256MB'")
                create_trigram_indexes(cursor.execute)
                for model in (User, Profile, LogEntry):
                    cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
