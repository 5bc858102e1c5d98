#!/bin/sh
# Runs once, when the primary's data directory is first created (docker-entrypoint-initdb.d): let the
# read replica (`db-replica`, compose profile `replica`) stream the WAL as the database owner.
set -e
echo "host replication ${POSTGRES_USER} all scram-sha-256" >> "$PGDATA/pg_hba.conf"
