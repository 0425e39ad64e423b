#!/bin/sh
# Runs once, as the superuser, when the Postgres volume is empty (docker-entrypoint-initdb.d).
# It creates only what needs a superuser: the schema owner, a login that may create roles (the
# migrations create spanledger_writer, _reader, _admin_reader and _tenant_reader, and so hold
# ADMIN OPTION on them), and its database. Everything else runs as that owner: `spanledger
# migrate` (service "migrate"), then logins.sql (service "db-logins").
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
  -v owner_password="$SPANLEDGER_OWNER_PASSWORD" <<'SQL'
CREATE ROLE spanledger_owner LOGIN CREATEROLE PASSWORD :'owner_password';
CREATE DATABASE spanledger OWNER spanledger_owner;
SQL
