-- Responsibility zones (issue 4): organisational units, people, zone layers over the unit
-- grids, zones as sets of unit grids, and road lines (线条) with their chiefs.
-- The duty grids of 0001 are the built-in layer `duty`: their members stay in
-- duty_grid_member; this migration only adds their unit and links them to people.
CREATE TABLE org_unit (
    code   TEXT PRIMARY KEY CHECK (length(code) > 0),
    name   TEXT NOT NULL,
    kind   TEXT NOT NULL,
    parent TEXT REFERENCES org_unit (code),
    phone  TEXT
);
CREATE TABLE person (
    id    TEXT PRIMARY KEY CHECK (length(id) > 0),
    name  TEXT NOT NULL,
    role  TEXT NOT NULL,
    phone TEXT,
    unit  TEXT REFERENCES org_unit (code)
);
CREATE INDEX person_unit ON person (unit);
CREATE TABLE zone_layer (
    code    TEXT PRIMARY KEY CHECK (length(code) > 0),
    name    TEXT NOT NULL,
    kind    TEXT NOT NULL,
    network TEXT NOT NULL CHECK (network IN ('management', 'enforcement')),
    ord     INTEGER NOT NULL DEFAULT 0
);
INSERT INTO zone_layer (code, name, kind, network, ord) VALUES ('duty', '责任网格', 'duty', 'management', 0);
CREATE TABLE zone (
    layer TEXT NOT NULL REFERENCES zone_layer (code) ON DELETE CASCADE,
    code  TEXT NOT NULL CHECK (length(code) > 0),
    name  TEXT NOT NULL,
    unit  TEXT REFERENCES org_unit (code),
    PRIMARY KEY (layer, code)
);
-- Within one layer a unit grid belongs to at most one zone: the primary key says so.
CREATE TABLE zone_member (
    layer TEXT NOT NULL,
    zone  TEXT NOT NULL,
    grid  TEXT NOT NULL REFERENCES grid (code),
    PRIMARY KEY (layer, grid),
    FOREIGN KEY (layer, zone) REFERENCES zone (layer, code) ON DELETE CASCADE
);
CREATE INDEX zone_member_zone ON zone_member (layer, zone);
ALTER TABLE duty_grid ADD COLUMN unit TEXT REFERENCES org_unit (code);
-- People responsible for a zone of any layer (duty grids included), the lead first.
CREATE TABLE zone_person (
    layer  TEXT NOT NULL,
    zone   TEXT NOT NULL,
    person TEXT NOT NULL REFERENCES person (id),
    ord    INTEGER NOT NULL,
    PRIMARY KEY (layer, zone, person)
);
CREATE INDEX zone_person_person ON zone_person (person);
CREATE TRIGGER zone_gone AFTER DELETE ON zone BEGIN
    DELETE FROM zone_person WHERE layer = OLD.layer AND zone = OLD.code;
END;
CREATE TRIGGER duty_grid_gone AFTER DELETE ON duty_grid BEGIN
    DELETE FROM zone_person WHERE layer = 'duty' AND zone = OLD.code;
END;
CREATE TABLE road_line (
    code     TEXT PRIMARY KEY CHECK (length(code) > 0),
    name     TEXT NOT NULL,
    class    TEXT NOT NULL CHECK (class IN ('street', 'road', 'lane', 'other')),
    geom     BLOB NOT NULL,
    length_m REAL NOT NULL,
    chief    TEXT REFERENCES person (id),
    unit     TEXT REFERENCES org_unit (code)
);
CREATE INDEX road_line_chief ON road_line (chief);
