-- → 10: the station service (docs/station.md). API keys issued to client apps (only the
-- SHA-256 of a key is kept) and the reports received through the station: the receipt token
-- and the client's idempotency key of each, so a report sent twice files one case.

CREATE TABLE station_key (
    id           INTEGER PRIMARY KEY,
    app          TEXT NOT NULL,
    prefix       TEXT NOT NULL,
    hash         TEXT NOT NULL UNIQUE,
    acting_login TEXT NOT NULL,
    issued_at    TEXT NOT NULL,
    issued_by    TEXT NOT NULL,
    revoked_at   TEXT,
    revoked_by   TEXT
);

CREATE TABLE station_report (
    case_id     TEXT PRIMARY KEY REFERENCES cases (id),
    token       TEXT NOT NULL UNIQUE,
    key_id      INTEGER NOT NULL REFERENCES station_key (id),
    idempotency TEXT,
    received_at TEXT NOT NULL,
    UNIQUE (key_id, idempotency)
);
