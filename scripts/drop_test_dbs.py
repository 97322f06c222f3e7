"""Drop the throwaway test databases named on the command line (AI_CRM_DB_* settings)."""

import os
import sys

import psycopg2

conn = psycopg2.connect(
    dbname="postgres",
    host=os.environ.get("AI_CRM_DB_HOST", "127.0.0.1"),
    port=os.environ.get("AI_CRM_DB_PORT", "5432"),
    user=os.environ.get("AI_CRM_DB_USER") or os.environ.get("USER") or "root",
    password=os.environ.get("AI_CRM_DB_PASSWORD") or None,
)
conn.autocommit = True
with conn.cursor() as cur:
    for name in sys.argv[1:]:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
conn.close()
