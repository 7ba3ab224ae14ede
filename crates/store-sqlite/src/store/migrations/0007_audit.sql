-- → 7: the audit log of changes without a table of their own, the seal chain over every audit
-- table, the role of a component edit, and the sample's demo accounts.

-- Imports, zones, people, settings, calendar, time limits, users…: who, role, when, what,
-- the state before and after (JSON). Append-only.
CREATE TABLE audit_log (
    seq     INTEGER PRIMARY KEY AUTOINCREMENT,
    at      TEXT NOT NULL,
    login   TEXT NOT NULL,
    role    TEXT,
    action  TEXT NOT NULL,
    subject TEXT NOT NULL,
    before  TEXT,
    after   TEXT
);
CREATE INDEX audit_log_action ON audit_log (action, seq);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;

-- The seal chain (docs/trust.md): one seal per audit table per commit, over the rows the commit
-- added (first_row..last_row, `rows` of them); hash = SHA-256(previous hash ‖ table ‖ range ‖
-- SHA-256 of those rows' sealed columns).
CREATE TABLE audit_seal (
    seq       INTEGER PRIMARY KEY,
    tbl       TEXT NOT NULL,
    first_row INTEGER NOT NULL,
    last_row  INTEGER NOT NULL,
    rows      INTEGER NOT NULL,
    hash      BLOB NOT NULL
);
CREATE INDEX audit_seal_range ON audit_seal (tbl, last_row);

-- The role a component edit was made in (older rows: unknown).
ALTER TABLE component_history ADD COLUMN role TEXT;

-- A published demo account of the sample district (its password is in the README): the
-- sign-in screen says so; changing the password clears the mark.
ALTER TABLE app_user ADD COLUMN demo INTEGER NOT NULL DEFAULT 0;
