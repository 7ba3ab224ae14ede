-- → 9: basemaps (docs/basemap.md). The package files live in the basemap folder beside the
-- store; a row here is written only after its file is in place, so a crash leaves at most an
-- orphan file (removed at the next start), never a row without its file.

CREATE TABLE basemap (
    id           TEXT PRIMARY KEY,
    seq          INTEGER NOT NULL UNIQUE,
    name         TEXT NOT NULL,
    format       TEXT NOT NULL,
    tile_format  TEXT NOT NULL,
    datum        TEXT NOT NULL,
    min_zoom     INTEGER NOT NULL,
    max_zoom     INTEGER NOT NULL,
    bounds       TEXT,          -- JSON [west, south, east, north]
    built        INTEGER NOT NULL,
    vector_layers TEXT NOT NULL, -- JSON [{id, geometry}]
    size_bytes   INTEGER NOT NULL,
    source_file  TEXT NOT NULL,
    attribution  TEXT,
    installed_at TEXT NOT NULL,
    installed_by TEXT NOT NULL
);

-- Names of built basemaps for the place search; `key` is the name folded for matching.
CREATE TABLE basemap_place (
    basemap TEXT NOT NULL REFERENCES basemap(id) ON DELETE CASCADE,
    name    TEXT NOT NULL,
    key     TEXT NOT NULL,
    layer   TEXT NOT NULL,
    class   TEXT NOT NULL,
    lon     REAL NOT NULL,
    lat     REAL NOT NULL
);
CREATE INDEX basemap_place_basemap ON basemap_place(basemap);
