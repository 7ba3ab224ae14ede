-- 0 → 1: the whole station schema (SQLite schema version 10, crates/store-sqlite/src/store/
-- migrations/0001…0010) for one database holding every district.
--
-- * Every district-owned row carries `district` (GB/T 2260, 6 digits) and every primary key,
--   unique key and foreign key starts with it: a row can only ever point at rows of its own
--   district. Rows whose code starts with the district's code (streets, communities, grids,
--   components) are checked to agree with it.
-- * Shared rows carry no district: the CJ/T 214 code tables, the calendar, the filing
--   standards with their time limits and the city's industry sub-classes. `meta` rows with a
--   NULL district are the city's own settings.
-- * Geometry is PostGIS `geometry` in EPSG:4326 (lon/lat, CGCS2000 ≈ WGS84) with a GiST index;
--   tables that keep lon/lat columns (as the station does) get a generated point beside them.
-- * Dates and times are `date` / `timestamp` (the station's local wall time, as stored there);
--   JSON stays text, kept verbatim, so that a row compares equal on both sides of a sync.

CREATE DOMAIN district_code AS text CHECK (VALUE ~ '^[0-9]{6}$');

CREATE TABLE meta (
    district district_code,
    key      text NOT NULL,
    value    text NOT NULL,
    UNIQUE NULLS NOT DISTINCT (district, key)
);

CREATE TABLE code_class (
    kind       text NOT NULL CHECK (kind IN ('component', 'event')),
    code       text NOT NULL,
    name       text NOT NULL,
    major_code text NOT NULL,
    major_name text NOT NULL,
    PRIMARY KEY (kind, code)
);

CREATE TABLE district (
    code district_code PRIMARY KEY,
    name text NOT NULL,
    geom geometry(MultiPolygon, 4326) NOT NULL
);
CREATE INDEX district_geom ON district USING gist (geom);

CREATE TABLE street (
    district district_code NOT NULL REFERENCES district (code),
    code     text NOT NULL CHECK (length(code) = 9 AND left(code, 6) = district),
    name     text NOT NULL,
    geom     geometry(MultiPolygon, 4326) NOT NULL,
    sample   boolean NOT NULL DEFAULT false,
    PRIMARY KEY (district, code)
);
CREATE INDEX street_geom ON street USING gist (geom);

CREATE TABLE community (
    district district_code NOT NULL,
    code     text NOT NULL CHECK (length(code) = 12 AND left(code, 6) = district),
    street   text NOT NULL CHECK (street = left(code, 9)),
    name     text NOT NULL,
    geom     geometry(MultiPolygon, 4326) NOT NULL,
    sample   boolean NOT NULL DEFAULT false,
    PRIMARY KEY (district, code),
    FOREIGN KEY (district, street) REFERENCES street (district, code)
);
CREATE INDEX community_geom ON community USING gist (geom);

CREATE TABLE grid (
    district   district_code NOT NULL,
    code       text NOT NULL CHECK (length(code) = 15 AND left(code, 6) = district),
    community  text NOT NULL CHECK (community = left(code, 12)),
    name       text NOT NULL,
    geom       geometry(Polygon, 4326) NOT NULL,
    area_m2    double precision NOT NULL,
    land_use   text,
    level      text,
    start_date date NOT NULL,
    end_date   date,
    sample     boolean NOT NULL DEFAULT false,
    PRIMARY KEY (district, code),
    FOREIGN KEY (district, community) REFERENCES community (district, code)
);
CREATE INDEX grid_community ON grid (district, community);
CREATE INDEX grid_geom ON grid USING gist (geom);

CREATE TABLE org_unit (
    district district_code NOT NULL REFERENCES district (code),
    code     text NOT NULL CHECK (length(code) > 0),
    name     text NOT NULL,
    kind     text NOT NULL,
    parent   text,
    phone    text,
    PRIMARY KEY (district, code),
    FOREIGN KEY (district, parent) REFERENCES org_unit (district, code)
);

CREATE TABLE duty_grid (
    district  district_code NOT NULL REFERENCES district (code),
    code      text NOT NULL,
    name      text NOT NULL,
    inspector text NOT NULL,
    unit      text,
    PRIMARY KEY (district, code),
    FOREIGN KEY (district, unit) REFERENCES org_unit (district, code)
);
CREATE TABLE duty_grid_member (
    district  district_code NOT NULL,
    duty_grid text NOT NULL,
    grid      text NOT NULL,
    PRIMARY KEY (district, duty_grid, grid),
    FOREIGN KEY (district, duty_grid) REFERENCES duty_grid (district, code) ON DELETE CASCADE,
    FOREIGN KEY (district, grid) REFERENCES grid (district, code)
);
CREATE INDEX duty_grid_member_grid ON duty_grid_member (district, grid);

CREATE TABLE component (
    district   district_code NOT NULL REFERENCES district (code),
    code       text NOT NULL CHECK (length(code) = 16 AND left(code, 6) = district),
    class_code text NOT NULL,
    owner      text,
    maintainer text,
    state      text NOT NULL,
    geom       geometry(Point, 4326) NOT NULL,
    grid       text,
    sample     boolean NOT NULL DEFAULT false,
    PRIMARY KEY (district, code),
    FOREIGN KEY (district, grid) REFERENCES grid (district, code)
);
CREATE INDEX component_grid ON component (district, grid);
CREATE INDEX component_geom ON component USING gist (geom);

CREATE TABLE cases (
    district    district_code NOT NULL REFERENCES district (code),
    id          text NOT NULL,
    kind        text NOT NULL CHECK (kind IN ('event', 'component')),
    class_code  text NOT NULL,
    component   text,
    source      text NOT NULL,
    reported_at timestamp NOT NULL,
    status      text NOT NULL,
    description text,
    geom        geometry(Point, 4326) NOT NULL,
    grid        text,
    sample      boolean NOT NULL DEFAULT false,
    PRIMARY KEY (district, id),
    FOREIGN KEY (district, grid) REFERENCES grid (district, code)
);
CREATE INDEX cases_grid ON cases (district, grid);
CREATE INDEX cases_status ON cases (district, status);
CREATE INDEX cases_reported ON cases (district, reported_at);
CREATE INDEX cases_geom ON cases USING gist (geom);

-- The case loop (station migration 2).
CREATE TABLE calendar_day (
    date date PRIMARY KEY,
    kind text NOT NULL CHECK (kind IN ('holiday', 'workday')),
    note text NOT NULL DEFAULT ''
);

CREATE TABLE department (
    district district_code NOT NULL REFERENCES district (code),
    code     text NOT NULL,
    name     text NOT NULL,
    active   boolean NOT NULL DEFAULT true,
    PRIMARY KEY (district, code),
    UNIQUE (district, name)
);

-- `password` is an argon2id PHC string.
CREATE TABLE app_user (
    district   district_code NOT NULL REFERENCES district (code),
    login      text NOT NULL,
    name       text NOT NULL,
    password   text NOT NULL,
    department text,
    active     boolean NOT NULL DEFAULT true,
    created_at timestamp NOT NULL,
    demo       boolean NOT NULL DEFAULT false,
    PRIMARY KEY (district, login),
    FOREIGN KEY (district, department) REFERENCES department (district, code)
);
CREATE TABLE user_role (
    district district_code NOT NULL,
    login    text NOT NULL,
    role     text NOT NULL CHECK (role IN ('inspector', 'receptionist', 'shift_leader',
                                           'dispatcher', 'department', 'leader', 'admin',
                                           'planner')),
    PRIMARY KEY (district, login, role),
    FOREIGN KEY (district, login) REFERENCES app_user (district, login) ON DELETE CASCADE
);

CREATE TABLE routing_rule (
    district   district_code NOT NULL REFERENCES district (code),
    id         bigint GENERATED BY DEFAULT AS IDENTITY,
    kind       text NOT NULL DEFAULT '*' CHECK (kind IN ('*', 'event', 'component')),
    class_code text NOT NULL DEFAULT '*',
    area_class text NOT NULL DEFAULT '*' CHECK (area_class IN ('*', 'A', 'B', 'C')),
    street     text NOT NULL DEFAULT '*',
    department text NOT NULL,
    PRIMARY KEY (district, id),
    UNIQUE (district, kind, class_code, area_class, street),
    FOREIGN KEY (district, department) REFERENCES department (district, code)
);

-- 立结案标准: the city's filing conditions and time limits (shared).
CREATE TABLE filing_condition (
    kind       text NOT NULL CHECK (kind IN ('event', 'component')),
    class_code text NOT NULL,
    condition  text NOT NULL,
    filing     text NOT NULL,
    closing    text NOT NULL,
    urgency    text NOT NULL CHECK (urgency IN ('ordinary', 'urgent')),
    is_default boolean NOT NULL DEFAULT false,
    PRIMARY KEY (kind, class_code, condition)
);
CREATE TABLE time_limit (
    kind       text NOT NULL,
    class_code text NOT NULL,
    condition  text NOT NULL,
    stage      text NOT NULL CHECK (stage IN ('accept', 'verify', 'file', 'dispatch', 'handle',
                                              'check', 'close')),
    area_class text NOT NULL CHECK (area_class IN ('A', 'B', 'C')),
    amount     double precision NOT NULL CHECK (amount > 0),
    unit       text NOT NULL CHECK (unit IN ('work_hour', 'urgent_hour', 'work_day',
                                             'calendar_day')),
    PRIMARY KEY (kind, class_code, condition, stage, area_class),
    FOREIGN KEY (kind, class_code, condition)
        REFERENCES filing_condition (kind, class_code, condition) ON DELETE CASCADE
);

CREATE TABLE case_flow (
    district        district_code NOT NULL,
    case_id         text NOT NULL,
    street          text,
    community       text,
    duty_grid       text,
    inspector       text,
    department      text,
    area_class      text NOT NULL CHECK (area_class IN ('A', 'B', 'C')),
    condition       text,
    urgency         text NOT NULL CHECK (urgency IN ('ordinary', 'urgent')),
    address         text,
    reporter        text,
    reporter_phone  text,
    created_by      text,
    supervised      boolean NOT NULL DEFAULT false,
    rework_count    integer NOT NULL DEFAULT 0,
    extension_count integer NOT NULL DEFAULT 0,
    hangup_count    integer NOT NULL DEFAULT 0,
    return_count    integer NOT NULL DEFAULT 0,
    duplicate_count integer NOT NULL DEFAULT 0,
    request_kind    text CHECK (request_kind IN ('extension', 'return', 'hang_up', 'cancel')),
    request_by      text,
    request_at      timestamp,
    request_reason  text,
    request_seconds bigint,
    closed_at       timestamp,
    updated_at      timestamp NOT NULL,
    request_amount  double precision,
    request_unit    text,
    PRIMARY KEY (district, case_id),
    FOREIGN KEY (district, case_id) REFERENCES cases (district, id),
    FOREIGN KEY (district, department) REFERENCES department (district, code)
);
CREATE INDEX case_flow_department ON case_flow (district, department);

CREATE TABLE case_stage (
    district          district_code NOT NULL,
    id                bigint GENERATED BY DEFAULT AS IDENTITY,
    case_id           text NOT NULL,
    stage             text NOT NULL,
    round             integer NOT NULL,
    department        text,
    started_at        timestamp NOT NULL,
    limit_amount      double precision NOT NULL,
    limit_unit        text NOT NULL,
    extension_seconds bigint NOT NULL DEFAULT 0,
    hung_seconds      bigint NOT NULL DEFAULT 0,
    deadline          timestamp,
    ended_at          timestamp,
    used_seconds      bigint,
    on_time           boolean,
    outcome           text,
    ended_by          text,
    PRIMARY KEY (district, id),
    FOREIGN KEY (district, case_id) REFERENCES cases (district, id)
);
CREATE INDEX case_stage_case ON case_stage (district, case_id, id);
CREATE INDEX case_stage_running ON case_stage (district, case_id) WHERE ended_at IS NULL;

CREATE TABLE case_hang (
    district   district_code NOT NULL,
    id         bigint GENERATED BY DEFAULT AS IDENTITY,
    case_id    text NOT NULL,
    stage_id   bigint NOT NULL,
    started_at timestamp NOT NULL,
    ended_at   timestamp,
    reason     text,
    PRIMARY KEY (district, id),
    FOREIGN KEY (district, case_id) REFERENCES cases (district, id),
    FOREIGN KEY (district, stage_id) REFERENCES case_stage (district, id)
);
CREATE INDEX case_hang_case ON case_hang (district, case_id);

-- Append-only tables refuse UPDATE and DELETE (the station's triggers, as a function here).
CREATE FUNCTION griddesk_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = 'restrict_violation';
END
$$;

CREATE TABLE case_audit (
    district    district_code NOT NULL REFERENCES district (code),
    seq         bigint GENERATED BY DEFAULT AS IDENTITY,
    case_id     text NOT NULL,
    at          timestamp NOT NULL,
    actor       text NOT NULL,
    role        text NOT NULL,
    action      text NOT NULL,
    from_status text,
    to_status   text NOT NULL,
    note        text,
    detail      text,
    PRIMARY KEY (district, seq)
);
CREATE INDEX case_audit_case ON case_audit (district, case_id, seq);
CREATE TRIGGER case_audit_append_only BEFORE UPDATE OR DELETE ON case_audit
    FOR EACH ROW EXECUTE FUNCTION griddesk_append_only();

CREATE TABLE case_photo (
    district district_code NOT NULL,
    id       bigint GENERATED BY DEFAULT AS IDENTITY,
    case_id  text NOT NULL,
    phase    text NOT NULL CHECK (phase IN ('before', 'after')),
    added_at timestamp NOT NULL,
    added_by text,
    name     text,
    mime     text NOT NULL,
    width    integer NOT NULL,
    height   integer NOT NULL,
    bytes    bytea NOT NULL,
    thumb    bytea NOT NULL,
    PRIMARY KEY (district, id),
    FOREIGN KEY (district, case_id) REFERENCES cases (district, id)
);
CREATE INDEX case_photo_case ON case_photo (district, case_id);

CREATE TABLE component_history (
    district district_code NOT NULL REFERENCES district (code),
    seq      bigint GENERATED BY DEFAULT AS IDENTITY,
    code     text NOT NULL,
    at       timestamp NOT NULL,
    actor    text NOT NULL,
    action   text NOT NULL,
    before   text,
    after    text,
    note     text,
    role     text,
    PRIMARY KEY (district, seq)
);
CREATE INDEX component_history_code ON component_history (district, code, seq);

-- Responsibility zones (station migration 3).
CREATE TABLE person (
    district district_code NOT NULL REFERENCES district (code),
    id       text NOT NULL CHECK (length(id) > 0),
    name     text NOT NULL,
    role     text NOT NULL,
    phone    text,
    unit     text,
    PRIMARY KEY (district, id),
    FOREIGN KEY (district, unit) REFERENCES org_unit (district, code)
);
CREATE INDEX person_unit ON person (district, unit);

CREATE TABLE zone_layer (
    district district_code NOT NULL REFERENCES district (code),
    code     text NOT NULL CHECK (length(code) > 0),
    name     text NOT NULL,
    kind     text NOT NULL,
    network  text NOT NULL CHECK (network IN ('management', 'enforcement')),
    ord      integer NOT NULL DEFAULT 0,
    PRIMARY KEY (district, code)
);
-- Every district has the built-in layer of its duty grids, as every station store has.
CREATE FUNCTION griddesk_district_duty_layer() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO zone_layer (district, code, name, kind, network, ord)
    VALUES (NEW.code, 'duty', '责任网格', 'duty', 'management', 0)
    ON CONFLICT DO NOTHING;
    RETURN NEW;
END
$$;
CREATE TRIGGER district_duty_layer AFTER INSERT ON district
    FOR EACH ROW EXECUTE FUNCTION griddesk_district_duty_layer();

CREATE TABLE zone (
    district district_code NOT NULL,
    layer    text NOT NULL,
    code     text NOT NULL CHECK (length(code) > 0),
    name     text NOT NULL,
    unit     text,
    PRIMARY KEY (district, layer, code),
    FOREIGN KEY (district, layer) REFERENCES zone_layer (district, code) ON DELETE CASCADE,
    FOREIGN KEY (district, unit) REFERENCES org_unit (district, code)
);
-- Within one layer a unit grid belongs to at most one zone.
CREATE TABLE zone_member (
    district district_code NOT NULL,
    layer    text NOT NULL,
    zone     text NOT NULL,
    grid     text NOT NULL,
    PRIMARY KEY (district, layer, grid),
    FOREIGN KEY (district, layer, zone) REFERENCES zone (district, layer, code) ON DELETE CASCADE,
    FOREIGN KEY (district, grid) REFERENCES grid (district, code)
);
CREATE INDEX zone_member_zone ON zone_member (district, layer, zone);

CREATE TABLE zone_person (
    district district_code NOT NULL,
    layer    text NOT NULL,
    zone     text NOT NULL,
    person   text NOT NULL,
    ord      integer NOT NULL,
    PRIMARY KEY (district, layer, zone, person),
    FOREIGN KEY (district, person) REFERENCES person (district, id)
);
CREATE INDEX zone_person_person ON zone_person (district, person);

CREATE FUNCTION griddesk_zone_gone() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_TABLE_NAME = 'zone' THEN
        DELETE FROM zone_person
         WHERE district = OLD.district AND layer = OLD.layer AND zone = OLD.code;
    ELSE
        DELETE FROM zone_person
         WHERE district = OLD.district AND layer = 'duty' AND zone = OLD.code;
    END IF;
    RETURN OLD;
END
$$;
CREATE TRIGGER zone_gone AFTER DELETE ON zone
    FOR EACH ROW EXECUTE FUNCTION griddesk_zone_gone();
CREATE TRIGGER duty_grid_gone AFTER DELETE ON duty_grid
    FOR EACH ROW EXECUTE FUNCTION griddesk_zone_gone();

CREATE TABLE road_line (
    district district_code NOT NULL REFERENCES district (code),
    code     text NOT NULL CHECK (length(code) > 0),
    name     text NOT NULL,
    class    text NOT NULL CHECK (class IN ('street', 'road', 'lane', 'other')),
    geom     geometry(LineString, 4326) NOT NULL,
    length_m double precision NOT NULL,
    chief    text,
    unit     text,
    PRIMARY KEY (district, code),
    FOREIGN KEY (district, chief) REFERENCES person (district, id),
    FOREIGN KEY (district, unit) REFERENCES org_unit (district, code)
);
CREATE INDEX road_line_chief ON road_line (district, chief);
CREATE INDEX road_line_geom ON road_line USING gist (geom);

-- Grid planning (station migration 4).
CREATE TABLE plan_setting (
    district district_code NOT NULL REFERENCES district (code),
    key      text NOT NULL,
    value    text NOT NULL,
    PRIMARY KEY (district, key)
);
CREATE TABLE plan_edit (
    district  district_code NOT NULL REFERENCES district (code),
    id        bigint GENERATED BY DEFAULT AS IDENTITY,
    at        timestamp NOT NULL,
    author    text NOT NULL,
    operation text NOT NULL,
    params    text NOT NULL,
    note      text,
    community text NOT NULL,
    summary   text NOT NULL,
    state     text NOT NULL CHECK (state IN ('applied', 'undone', 'discarded')),
    PRIMARY KEY (district, id)
);
CREATE TABLE plan_event (
    district district_code NOT NULL,
    id       bigint GENERATED BY DEFAULT AS IDENTITY,
    edit     bigint NOT NULL,
    kind     text NOT NULL CHECK (kind IN ('apply', 'undo', 'redo')),
    at       timestamp NOT NULL,
    author   text NOT NULL,
    PRIMARY KEY (district, id),
    FOREIGN KEY (district, edit) REFERENCES plan_edit (district, id)
);
CREATE INDEX plan_event_at ON plan_event (district, at);
CREATE TABLE plan_row (
    district district_code NOT NULL,
    edit     bigint NOT NULL,
    side     text NOT NULL CHECK (side IN ('before', 'after')),
    kind     text NOT NULL,
    key      text NOT NULL,
    data     text,
    geom     geometry(Geometry, 4326),
    PRIMARY KEY (district, edit, side, kind, key),
    FOREIGN KEY (district, edit) REFERENCES plan_edit (district, id)
);
CREATE INDEX plan_row_key ON plan_row (district, kind, key);
CREATE TABLE plan_lineage (
    district    district_code NOT NULL,
    edit        bigint NOT NULL,
    predecessor text NOT NULL,
    successor   text NOT NULL,
    PRIMARY KEY (district, edit, predecessor, successor),
    FOREIGN KEY (district, edit) REFERENCES plan_edit (district, id)
);
CREATE INDEX plan_lineage_pred ON plan_lineage (district, predecessor);
CREATE INDEX plan_lineage_succ ON plan_lineage (district, successor);

-- Sign-ins (station migration 6).
CREATE TABLE sign_in_log (
    district district_code NOT NULL REFERENCES district (code),
    seq      bigint GENERATED BY DEFAULT AS IDENTITY,
    at       timestamp NOT NULL,
    login    text NOT NULL,
    role     text NOT NULL,
    ok       boolean NOT NULL,
    reason   text,
    PRIMARY KEY (district, seq)
);
CREATE INDEX sign_in_log_login ON sign_in_log (district, login, seq);

-- The audit log and its seal chain, one chain per district (station migration 7).
CREATE TABLE audit_log (
    district district_code NOT NULL REFERENCES district (code),
    seq      bigint GENERATED BY DEFAULT AS IDENTITY,
    at       timestamp NOT NULL,
    login    text NOT NULL,
    role     text,
    action   text NOT NULL,
    subject  text NOT NULL,
    before   text,
    after    text,
    PRIMARY KEY (district, seq)
);
CREATE INDEX audit_log_action ON audit_log (district, action, seq);
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION griddesk_append_only();

CREATE TABLE audit_seal (
    district  district_code NOT NULL REFERENCES district (code),
    seq       bigint GENERATED BY DEFAULT AS IDENTITY,
    tbl       text NOT NULL,
    first_row bigint NOT NULL,
    last_row  bigint NOT NULL,
    rows      bigint NOT NULL,
    hash      bytea NOT NULL,
    PRIMARY KEY (district, seq)
);
CREATE INDEX audit_seal_range ON audit_seal (district, tbl, last_row);

-- The street registers (station migration 8).
CREATE TABLE service_object (
    district     district_code NOT NULL REFERENCES district (code),
    id           bigint GENERATED BY DEFAULT AS IDENTITY,
    kind         text NOT NULL,
    name         text NOT NULL,
    address      text NOT NULL,
    lon          double precision NOT NULL,
    lat          double precision NOT NULL,
    geom         geometry(Point, 4326)
                 GENERATED ALWAYS AS (ST_SetSRID(ST_MakePoint(lon, lat), 4326)) STORED,
    grid         text,
    grid_reason  text,
    section      text,
    subclass     text,
    credit_code  text,
    legal_rep    text,
    id_number    text,
    contact      text,
    phone        text,
    licence      text,
    status       text NOT NULL,
    collected_by text,
    collected_on date,
    verified_by  text,
    verified_at  timestamp,
    frontage     text, -- JSON [[lon, lat], …]
    note         text,
    PRIMARY KEY (district, id)
);
CREATE INDEX service_object_grid ON service_object (district, grid);
CREATE INDEX service_object_geom ON service_object USING gist (geom);
-- A unified social credit code names one legal entity in the whole country.
CREATE UNIQUE INDEX service_object_credit ON service_object (credit_code)
    WHERE credit_code IS NOT NULL;

CREATE TABLE service_object_history (
    district district_code NOT NULL,
    seq      bigint GENERATED BY DEFAULT AS IDENTITY,
    object   bigint NOT NULL,
    at       timestamp NOT NULL,
    login    text NOT NULL,
    action   text NOT NULL,
    reason   text,
    before   text,
    after    text,
    PRIMARY KEY (district, seq),
    FOREIGN KEY (district, object) REFERENCES service_object (district, id)
);
CREATE INDEX service_object_history_object ON service_object_history (district, object, seq);
CREATE TRIGGER service_object_history_append_only BEFORE UPDATE OR DELETE
    ON service_object_history FOR EACH ROW EXECUTE FUNCTION griddesk_append_only();

-- The city's sub-classes under the GB/T 4754 sections (shared; empty: the default table).
CREATE TABLE industry_subclass (
    code    text PRIMARY KEY,
    section text NOT NULL,
    name    text NOT NULL,
    ord     integer NOT NULL
);

CREATE TABLE register_photo (
    district district_code NOT NULL REFERENCES district (code),
    id       bigint GENERATED BY DEFAULT AS IDENTITY,
    owner    text NOT NULL CHECK (owner IN ('object', 'vendor')),
    owner_id bigint NOT NULL,
    added_at timestamp NOT NULL,
    added_by text NOT NULL,
    mime     text NOT NULL,
    width    integer NOT NULL,
    height   integer NOT NULL,
    bytes    bytea NOT NULL,
    thumb    bytea NOT NULL,
    PRIMARY KEY (district, id)
);
CREATE INDEX register_photo_owner ON register_photo (district, owner, owner_id);

CREATE TABLE notice (
    district    district_code NOT NULL REFERENCES district (code),
    id          bigint GENERATED BY DEFAULT AS IDENTITY,
    title       text NOT NULL,
    template    text NOT NULL,
    target_kind text NOT NULL,
    target_key  text NOT NULL,
    channel     text NOT NULL,
    created_at  timestamp NOT NULL,
    created_by  text NOT NULL,
    recipients  integer NOT NULL,
    PRIMARY KEY (district, id)
);
CREATE TABLE notice_delivery (
    district district_code NOT NULL,
    notice   bigint NOT NULL,
    object   bigint NOT NULL,
    text     text NOT NULL,
    PRIMARY KEY (district, notice, object),
    FOREIGN KEY (district, notice) REFERENCES notice (district, id),
    FOREIGN KEY (district, object) REFERENCES service_object (district, id)
);
CREATE INDEX notice_delivery_object ON notice_delivery (district, object);

CREATE TABLE move_car (
    district district_code NOT NULL REFERENCES district (code),
    id       bigint GENERATED BY DEFAULT AS IDENTITY,
    plate    text NOT NULL,
    place    text NOT NULL,
    lon      double precision NOT NULL,
    lat      double precision NOT NULL,
    geom     geometry(Point, 4326)
             GENERATED ALWAYS AS (ST_SetSRID(ST_MakePoint(lon, lat), 4326)) STORED,
    grid     text,
    at       timestamp NOT NULL,
    channel  text NOT NULL,
    outcome  text NOT NULL,
    login    text NOT NULL,
    PRIMARY KEY (district, id)
);
CREATE INDEX move_car_at ON move_car (district, at);
CREATE INDEX move_car_geom ON move_car USING gist (geom);

CREATE TABLE vendor (
    district   district_code NOT NULL REFERENCES district (code),
    id         bigint GENERATED BY DEFAULT AS IDENTITY,
    name       text NOT NULL,
    phone      text,
    id_number  text,
    trade      text NOT NULL,
    usual_lon  double precision,
    usual_lat  double precision,
    geom       geometry(Point, 4326)
               GENERATED ALWAYS AS (ST_SetSRID(ST_MakePoint(usual_lon, usual_lat), 4326)) STORED,
    note       text,
    created_at timestamp NOT NULL,
    created_by text NOT NULL,
    PRIMARY KEY (district, id)
);
CREATE INDEX vendor_geom ON vendor USING gist (geom);

CREATE TABLE vendor_warning (
    district  district_code NOT NULL,
    id        bigint GENERATED BY DEFAULT AS IDENTITY,
    vendor    bigint NOT NULL,
    at        timestamp NOT NULL,
    lon       double precision NOT NULL,
    lat       double precision NOT NULL,
    geom      geometry(Point, 4326)
              GENERATED ALWAYS AS (ST_SetSRID(ST_MakePoint(lon, lat), 4326)) STORED,
    grid      text,
    inspector text NOT NULL,
    matter    text NOT NULL,
    refused   boolean NOT NULL,
    note      text,
    PRIMARY KEY (district, id),
    FOREIGN KEY (district, vendor) REFERENCES vendor (district, id)
);
CREATE INDEX vendor_warning_vendor ON vendor_warning (district, vendor, at);
CREATE INDEX vendor_warning_geom ON vendor_warning USING gist (geom);
CREATE TRIGGER vendor_warning_append_only BEFORE UPDATE OR DELETE ON vendor_warning
    FOR EACH ROW EXECUTE FUNCTION griddesk_append_only();

CREATE TABLE vending_zone (
    district district_code NOT NULL REFERENCES district (code),
    code     text NOT NULL,
    name     text NOT NULL,
    ring     text NOT NULL, -- JSON [[lon, lat], …]
    days     text NOT NULL, -- JSON [1..7]
    hours    text NOT NULL, -- JSON [["HH:MM", "HH:MM"], …]
    trades   text NOT NULL, -- JSON ["…"]
    capacity integer,
    note     text,
    PRIMARY KEY (district, code)
);

CREATE TABLE vending_admission (
    district    district_code NOT NULL,
    id          bigint GENERATED BY DEFAULT AS IDENTITY,
    zone        text NOT NULL,
    vendor      bigint NOT NULL,
    trade       text NOT NULL,
    status      text NOT NULL CHECK (status IN ('admitted', 'filed', 'exited')),
    admitted_at timestamp NOT NULL,
    admitted_by text NOT NULL,
    stall       text,
    filed_at    timestamp,
    exited_at   timestamp,
    exit_reason text,
    PRIMARY KEY (district, id),
    FOREIGN KEY (district, zone) REFERENCES vending_zone (district, code),
    FOREIGN KEY (district, vendor) REFERENCES vendor (district, id)
);
CREATE INDEX vending_admission_zone ON vending_admission (district, zone);

CREATE TABLE register_setting (
    district district_code NOT NULL REFERENCES district (code),
    key      text NOT NULL,
    value    text NOT NULL,
    PRIMARY KEY (district, key)
);

CREATE TABLE person_lookup (
    district district_code NOT NULL REFERENCES district (code),
    seq      bigint GENERATED BY DEFAULT AS IDENTITY,
    at       timestamp NOT NULL,
    login    text NOT NULL,
    role     text NOT NULL,
    what     text NOT NULL,
    key      text NOT NULL,
    PRIMARY KEY (district, seq)
);
CREATE TRIGGER person_lookup_append_only BEFORE UPDATE OR DELETE ON person_lookup
    FOR EACH ROW EXECUTE FUNCTION griddesk_append_only();

-- Basemaps (station migration 9): the package files live beside the station's store; the
-- centre keeps their records per district.
CREATE TABLE basemap (
    district      district_code NOT NULL REFERENCES district (code),
    id            text NOT NULL,
    seq           bigint NOT NULL,
    name          text NOT NULL,
    format        text NOT NULL,
    tile_format   text NOT NULL,
    datum         text NOT NULL,
    min_zoom      integer NOT NULL,
    max_zoom      integer NOT NULL,
    bounds        text,          -- JSON [west, south, east, north]
    built         boolean NOT NULL,
    vector_layers text NOT NULL, -- JSON [{id, geometry}]
    size_bytes    bigint NOT NULL,
    source_file   text NOT NULL,
    attribution   text,
    installed_at  timestamp NOT NULL,
    installed_by  text NOT NULL,
    PRIMARY KEY (district, id),
    UNIQUE (district, seq)
);
CREATE TABLE basemap_place (
    district district_code NOT NULL,
    basemap  text NOT NULL,
    name     text NOT NULL,
    key      text NOT NULL,
    layer    text NOT NULL,
    class    text NOT NULL,
    lon      double precision NOT NULL,
    lat      double precision NOT NULL,
    geom     geometry(Point, 4326)
             GENERATED ALWAYS AS (ST_SetSRID(ST_MakePoint(lon, lat), 4326)) STORED,
    FOREIGN KEY (district, basemap) REFERENCES basemap (district, id) ON DELETE CASCADE
);
CREATE INDEX basemap_place_basemap ON basemap_place (district, basemap);
CREATE INDEX basemap_place_geom ON basemap_place USING gist (geom);

-- The station service (station migration 10).
CREATE TABLE station_key (
    district     district_code NOT NULL REFERENCES district (code),
    id           bigint GENERATED BY DEFAULT AS IDENTITY,
    app          text NOT NULL,
    prefix       text NOT NULL,
    hash         text NOT NULL UNIQUE,
    acting_login text NOT NULL,
    issued_at    timestamp NOT NULL,
    issued_by    text NOT NULL,
    revoked_at   timestamp,
    revoked_by   text,
    PRIMARY KEY (district, id)
);
CREATE TABLE station_report (
    district    district_code NOT NULL,
    case_id     text NOT NULL,
    token       text NOT NULL UNIQUE,
    key_id      bigint NOT NULL,
    idempotency text,
    received_at timestamp NOT NULL,
    PRIMARY KEY (district, case_id),
    UNIQUE (district, key_id, idempotency),
    FOREIGN KEY (district, case_id) REFERENCES cases (district, id),
    FOREIGN KEY (district, key_id) REFERENCES station_key (district, id)
);
