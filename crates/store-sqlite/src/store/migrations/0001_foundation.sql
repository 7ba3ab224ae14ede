-- 0 → 1: the foundation: code tables, district > street > community > grid, duty grids,
-- components and cases.
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE code_class (
    kind       TEXT NOT NULL CHECK (kind IN ('component', 'event')),
    code       TEXT NOT NULL,
    name       TEXT NOT NULL,
    major_code TEXT NOT NULL,
    major_name TEXT NOT NULL,
    PRIMARY KEY (kind, code)
);
CREATE TABLE district (
    code TEXT PRIMARY KEY CHECK (length(code) = 6),
    name TEXT NOT NULL,
    geom BLOB NOT NULL
);
CREATE TABLE street (
    code     TEXT PRIMARY KEY CHECK (length(code) = 9),
    district TEXT NOT NULL REFERENCES district (code),
    name     TEXT NOT NULL,
    geom     BLOB NOT NULL,
    sample   INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE community (
    code   TEXT PRIMARY KEY CHECK (length(code) = 12),
    street TEXT NOT NULL REFERENCES street (code),
    name   TEXT NOT NULL,
    geom   BLOB NOT NULL,
    sample INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE grid (
    code       TEXT PRIMARY KEY CHECK (length(code) = 15),
    community  TEXT NOT NULL REFERENCES community (code),
    name       TEXT NOT NULL,
    geom       BLOB NOT NULL,
    area_m2    REAL NOT NULL,
    land_use   TEXT,
    level      TEXT,
    start_date TEXT NOT NULL,
    end_date   TEXT,
    sample     INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX grid_community ON grid (community);
CREATE TABLE duty_grid (
    code      TEXT PRIMARY KEY,
    name      TEXT NOT NULL,
    inspector TEXT NOT NULL
);
CREATE TABLE duty_grid_member (
    duty_grid TEXT NOT NULL REFERENCES duty_grid (code) ON DELETE CASCADE,
    grid      TEXT NOT NULL REFERENCES grid (code),
    PRIMARY KEY (duty_grid, grid)
);
CREATE INDEX duty_grid_member_grid ON duty_grid_member (grid);
CREATE TABLE component (
    code       TEXT PRIMARY KEY CHECK (length(code) = 16),
    class_code TEXT NOT NULL,
    owner      TEXT,
    maintainer TEXT,
    state      TEXT NOT NULL,
    geom       BLOB NOT NULL,
    grid       TEXT REFERENCES grid (code),
    sample     INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX component_grid ON component (grid);
CREATE TABLE cases (
    id          TEXT PRIMARY KEY,
    kind        TEXT NOT NULL CHECK (kind IN ('event', 'component')),
    class_code  TEXT NOT NULL,
    component   TEXT,
    source      TEXT NOT NULL,
    reported_at TEXT NOT NULL,
    status      TEXT NOT NULL,
    description TEXT,
    geom        BLOB NOT NULL,
    grid        TEXT REFERENCES grid (code),
    sample      INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX cases_grid ON cases (grid);
