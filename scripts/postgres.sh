#!/usr/bin/env bash
# Starts Debian's PostgreSQL 15 on loopback and makes the test database the ledger tests use:
# role and database `synthlabel_test`, password `synthlabel_test`, reached over TCP at
# 127.0.0.1:5432 (the URL below). The role may create databases: each test makes its own.
# Safe to run twice; scripts/test.sh runs it.
#   postgres://synthlabel_test:synthlabel_test@127.0.0.1:5432/synthlabel_test
set -euo pipefail
source "$(dirname "$0")/lib/apt-install.sh"
apt_install postgresql-15 postgresql-client-15

as_postgres() { if [[ $(id -un) == postgres ]]; then "$@"; elif [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else sudo -u postgres "$@"; fi; }
sudo=""; [[ $(id -u) -ne 0 ]] && sudo=sudo

# A cluster exists once the package is installed; make one if a machine removed it.
pg_lsclusters -h | grep -q '^15 main' || $sudo pg_createcluster 15 main >/dev/null
pg_lsclusters -h | grep -q '^15 main .* online' || $sudo pg_ctlcluster 15 main start
for _ in $(seq 50); do as_postgres pg_isready -q -h /var/run/postgresql && break; sleep 0.2; done

as_postgres psql -q -v ON_ERROR_STOP=1 -d postgres <<'SQL' >/dev/null
SELECT 'CREATE ROLE synthlabel_test LOGIN CREATEDB PASSWORD ''synthlabel_test'''
  WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'synthlabel_test') \gexec
ALTER ROLE synthlabel_test CREATEDB;
SELECT 'CREATE DATABASE synthlabel_test OWNER synthlabel_test'
  WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = 'synthlabel_test') \gexec
SQL
echo "PostgreSQL 15 ready: postgres://synthlabel_test@127.0.0.1:5432/synthlabel_test"
