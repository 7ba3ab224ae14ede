-- → 8: the street registers (docs/registers.md): service objects with their history and
-- photos, the city's industry sub-classes, notices and their deliveries, move-car reminders,
-- mobile vendors and their warnings, vending zones and admissions, the colour ladder, and the
-- log of lookups of people's records.

CREATE TABLE service_object (
    id           INTEGER PRIMARY KEY,
    kind         TEXT NOT NULL,
    name         TEXT NOT NULL,
    address      TEXT NOT NULL,
    lon          REAL NOT NULL,
    lat          REAL NOT NULL,
    grid         TEXT,
    grid_reason  TEXT,
    section      TEXT,
    subclass     TEXT,
    credit_code  TEXT,
    legal_rep    TEXT,
    id_number    TEXT,
    contact      TEXT,
    phone        TEXT,
    licence      TEXT,
    status       TEXT NOT NULL,
    collected_by TEXT,
    collected_on TEXT,
    verified_by  TEXT,
    verified_at  TEXT,
    frontage     TEXT, -- JSON [[lon, lat], …]
    note         TEXT
);
CREATE INDEX service_object_grid ON service_object (grid);
CREATE UNIQUE INDEX service_object_credit ON service_object (credit_code) WHERE credit_code IS NOT NULL;

-- Every change of a service object: the fields before and after (JSON). Append-only.
CREATE TABLE service_object_history (
    seq     INTEGER PRIMARY KEY AUTOINCREMENT,
    object  INTEGER NOT NULL REFERENCES service_object (id),
    at      TEXT NOT NULL,
    login   TEXT NOT NULL,
    action  TEXT NOT NULL,
    reason  TEXT,
    before  TEXT,
    after   TEXT
);
CREATE INDEX service_object_history_object ON service_object_history (object, seq);
CREATE TRIGGER service_object_history_no_update BEFORE UPDATE ON service_object_history
BEGIN
    SELECT RAISE(ABORT, 'service_object_history is append-only');
END;
CREATE TRIGGER service_object_history_no_delete BEFORE DELETE ON service_object_history
BEGIN
    SELECT RAISE(ABORT, 'service_object_history is append-only');
END;

-- The city's sub-classes under the GB/T 4754 sections (empty: the default table).
CREATE TABLE industry_subclass (
    code    TEXT PRIMARY KEY,
    section TEXT NOT NULL,
    name    TEXT NOT NULL,
    ord     INTEGER NOT NULL
);

CREATE TABLE register_photo (
    id       INTEGER PRIMARY KEY,
    owner    TEXT NOT NULL CHECK (owner IN ('object', 'vendor')),
    owner_id INTEGER NOT NULL,
    added_at TEXT NOT NULL,
    added_by TEXT NOT NULL,
    mime     TEXT NOT NULL,
    width    INTEGER NOT NULL,
    height   INTEGER NOT NULL,
    bytes    BLOB NOT NULL,
    thumb    BLOB NOT NULL
);
CREATE INDEX register_photo_owner ON register_photo (owner, owner_id);

CREATE TABLE notice (
    id          INTEGER PRIMARY KEY,
    title       TEXT NOT NULL,
    template    TEXT NOT NULL,
    target_kind TEXT NOT NULL,
    target_key  TEXT NOT NULL,
    channel     TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    recipients  INTEGER NOT NULL
);

CREATE TABLE notice_delivery (
    notice INTEGER NOT NULL REFERENCES notice (id),
    object INTEGER NOT NULL REFERENCES service_object (id),
    text   TEXT NOT NULL,
    PRIMARY KEY (notice, object)
);
CREATE INDEX notice_delivery_object ON notice_delivery (object);

CREATE TABLE move_car (
    id      INTEGER PRIMARY KEY,
    plate   TEXT NOT NULL,
    place   TEXT NOT NULL,
    lon     REAL NOT NULL,
    lat     REAL NOT NULL,
    grid    TEXT,
    at      TEXT NOT NULL,
    channel TEXT NOT NULL,
    outcome TEXT NOT NULL,
    login   TEXT NOT NULL
);
CREATE INDEX move_car_at ON move_car (at);

CREATE TABLE vendor (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    phone      TEXT,
    id_number  TEXT,
    trade      TEXT NOT NULL,
    usual_lon  REAL,
    usual_lat  REAL,
    note       TEXT,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL
);

-- Warnings given to vendors. Append-only: the colour is derived from them.
CREATE TABLE vendor_warning (
    id        INTEGER PRIMARY KEY,
    vendor    INTEGER NOT NULL REFERENCES vendor (id),
    at        TEXT NOT NULL,
    lon       REAL NOT NULL,
    lat       REAL NOT NULL,
    grid      TEXT,
    inspector TEXT NOT NULL,
    matter    TEXT NOT NULL,
    refused   INTEGER NOT NULL,
    note      TEXT
);
CREATE INDEX vendor_warning_vendor ON vendor_warning (vendor, at);
CREATE TRIGGER vendor_warning_no_update BEFORE UPDATE ON vendor_warning
BEGIN
    SELECT RAISE(ABORT, 'vendor_warning is append-only');
END;
CREATE TRIGGER vendor_warning_no_delete BEFORE DELETE ON vendor_warning
BEGIN
    SELECT RAISE(ABORT, 'vendor_warning is append-only');
END;

CREATE TABLE vending_zone (
    code     TEXT PRIMARY KEY,
    name     TEXT NOT NULL,
    ring     TEXT NOT NULL, -- JSON [[lon, lat], …]
    days     TEXT NOT NULL, -- JSON [1..7]
    hours    TEXT NOT NULL, -- JSON [["HH:MM", "HH:MM"], …]
    trades   TEXT NOT NULL, -- JSON ["…"]
    capacity INTEGER,
    note     TEXT
);

CREATE TABLE vending_admission (
    id          INTEGER PRIMARY KEY,
    zone        TEXT NOT NULL REFERENCES vending_zone (code),
    vendor      INTEGER NOT NULL REFERENCES vendor (id),
    trade       TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('admitted', 'filed', 'exited')),
    admitted_at TEXT NOT NULL,
    admitted_by TEXT NOT NULL,
    stall       TEXT,
    filed_at    TEXT,
    exited_at   TEXT,
    exit_reason TEXT
);
CREATE INDEX vending_admission_zone ON vending_admission (zone);

CREATE TABLE register_setting (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- Who looked at a person's record, when, and at what (docs/trust.md, "Personal data").
-- Append-only.
CREATE TABLE person_lookup (
    seq   INTEGER PRIMARY KEY AUTOINCREMENT,
    at    TEXT NOT NULL,
    login TEXT NOT NULL,
    role  TEXT NOT NULL,
    what  TEXT NOT NULL,
    key   TEXT NOT NULL
);
CREATE TRIGGER person_lookup_no_update BEFORE UPDATE ON person_lookup
BEGIN
    SELECT RAISE(ABORT, 'person_lookup is append-only');
END;
CREATE TRIGGER person_lookup_no_delete BEFORE DELETE ON person_lookup
BEGIN
    SELECT RAISE(ABORT, 'person_lookup is append-only');
END;
