-- → 13: upward sync to the city centre (docs/centre.md, "Sync"). Station-local: none of these
-- tables goes to the centre.
--
-- sync_base keeps, per district-owned table, the canonical text of every row as the centre last
-- acknowledged it (griddesk_store::district_rows::canonical_row), under the canonical text of
-- its key. A sync's changes are the store's rows now against these.

CREATE TABLE sync_base (
    tbl  TEXT NOT NULL,
    key  TEXT NOT NULL,
    row  TEXT NOT NULL,
    PRIMARY KEY (tbl, key)
) WITHOUT ROWID;

-- What the base is of: one row, `district`, written with the base.
CREATE TABLE sync_state (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- A batch written before it is sent, dropped in the transaction that moves the base after the
-- centre's acknowledgement. At most one: a sync first sends again the one a crash left.
CREATE TABLE sync_pending (
    id             TEXT PRIMARY KEY,
    schema_version INTEGER NOT NULL,
    created_at     TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%S', 'now', 'localtime')),
    body           TEXT NOT NULL,
    one            INTEGER NOT NULL DEFAULT 1 UNIQUE CHECK (one = 1)
);
