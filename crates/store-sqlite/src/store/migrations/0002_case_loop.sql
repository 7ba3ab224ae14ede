-- 1 → 2: the case loop: work calendar, filing standards with time limits, departments, users
-- and roles, routing rules, the case workflow (flow record, stage clocks, hang-ups), the
-- append-only audit, case photos and the component change history.

-- Holidays and adjusted working days; office hours live in meta `calendar.office_hours`.
CREATE TABLE calendar_day (
    date TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('holiday', 'workday')),
    note TEXT NOT NULL DEFAULT ''
);

CREATE TABLE department (
    code   TEXT PRIMARY KEY,
    name   TEXT NOT NULL UNIQUE,
    active INTEGER NOT NULL DEFAULT 1
);

-- `password` is an argon2id PHC string.
CREATE TABLE app_user (
    login      TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    password   TEXT NOT NULL,
    department TEXT REFERENCES department (code),
    active     INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL
);
CREATE TABLE user_role (
    login TEXT NOT NULL REFERENCES app_user (login) ON DELETE CASCADE,
    role  TEXT NOT NULL CHECK (role IN ('inspector', 'receptionist', 'shift_leader', 'dispatcher',
                                        'department', 'leader', 'admin')),
    PRIMARY KEY (login, role)
);

-- class × area (or street) → department; '*' matches anything. The most specific rule wins.
CREATE TABLE routing_rule (
    id         INTEGER PRIMARY KEY,
    kind       TEXT NOT NULL DEFAULT '*' CHECK (kind IN ('*', 'event', 'component')),
    class_code TEXT NOT NULL DEFAULT '*',
    area_class TEXT NOT NULL DEFAULT '*' CHECK (area_class IN ('*', 'A', 'B', 'C')),
    street     TEXT NOT NULL DEFAULT '*',
    department TEXT NOT NULL REFERENCES department (code),
    UNIQUE (kind, class_code, area_class, street)
);

-- 立结案标准: filing conditions per class, and time limits per condition × stage × area class.
CREATE TABLE filing_condition (
    kind       TEXT NOT NULL CHECK (kind IN ('event', 'component')),
    class_code TEXT NOT NULL,
    condition  TEXT NOT NULL,
    filing     TEXT NOT NULL,
    closing    TEXT NOT NULL,
    urgency    TEXT NOT NULL CHECK (urgency IN ('ordinary', 'urgent')),
    is_default INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (kind, class_code, condition)
);
CREATE TABLE time_limit (
    kind       TEXT NOT NULL,
    class_code TEXT NOT NULL,
    condition  TEXT NOT NULL,
    stage      TEXT NOT NULL CHECK (stage IN ('accept', 'verify', 'file', 'dispatch', 'handle',
                                              'check', 'close')),
    area_class TEXT NOT NULL CHECK (area_class IN ('A', 'B', 'C')),
    amount     REAL NOT NULL CHECK (amount > 0),
    unit       TEXT NOT NULL CHECK (unit IN ('work_hour', 'urgent_hour', 'work_day', 'calendar_day')),
    PRIMARY KEY (kind, class_code, condition, stage, area_class),
    FOREIGN KEY (kind, class_code, condition)
        REFERENCES filing_condition (kind, class_code, condition) ON DELETE CASCADE
);

CREATE INDEX cases_status ON cases (status);
CREATE INDEX cases_reported ON cases (reported_at);

-- The workflow record of a case (one row per case that entered the loop through the engine).
CREATE TABLE case_flow (
    case_id         TEXT PRIMARY KEY REFERENCES cases (id),
    street          TEXT,
    community       TEXT,
    duty_grid       TEXT,
    inspector       TEXT,
    department      TEXT REFERENCES department (code),
    area_class      TEXT NOT NULL CHECK (area_class IN ('A', 'B', 'C')),
    condition       TEXT,
    urgency         TEXT NOT NULL CHECK (urgency IN ('ordinary', 'urgent')),
    address         TEXT,
    reporter        TEXT,
    reporter_phone  TEXT,
    created_by      TEXT,
    supervised      INTEGER NOT NULL DEFAULT 0,
    rework_count    INTEGER NOT NULL DEFAULT 0,
    extension_count INTEGER NOT NULL DEFAULT 0,
    hangup_count    INTEGER NOT NULL DEFAULT 0,
    return_count    INTEGER NOT NULL DEFAULT 0,
    duplicate_count INTEGER NOT NULL DEFAULT 0,
    request_kind    TEXT CHECK (request_kind IN ('extension', 'return', 'hang_up', 'cancel')),
    request_by      TEXT,
    request_at      TEXT,
    request_reason  TEXT,
    request_seconds INTEGER,
    closed_at       TEXT,
    updated_at      TEXT NOT NULL,
    request_amount  REAL,
    request_unit    TEXT
);
CREATE INDEX case_flow_department ON case_flow (department);

-- One row per run of a stage (a rework or a return starts a new run with round + 1).
-- `deadline` is the bundle deadline (limit + extensions, hang-ups excluded), NULL while hung;
-- `used_seconds` and `on_time` are set when the run ends. Seconds are of the limit's metric
-- (working seconds for 工作时/工作日, wall-clock seconds for 紧急工作时/自然日).
CREATE TABLE case_stage (
    id                INTEGER PRIMARY KEY,
    case_id           TEXT NOT NULL REFERENCES cases (id),
    stage             TEXT NOT NULL,
    round             INTEGER NOT NULL,
    department        TEXT,
    started_at        TEXT NOT NULL,
    limit_amount      REAL NOT NULL,
    limit_unit        TEXT NOT NULL,
    extension_seconds INTEGER NOT NULL DEFAULT 0,
    hung_seconds      INTEGER NOT NULL DEFAULT 0,
    deadline          TEXT,
    ended_at          TEXT,
    used_seconds      INTEGER,
    on_time           INTEGER,
    outcome           TEXT,
    ended_by          TEXT
);
CREATE INDEX case_stage_case ON case_stage (case_id, id);
CREATE INDEX case_stage_running ON case_stage (case_id) WHERE ended_at IS NULL;

CREATE TABLE case_hang (
    id         INTEGER PRIMARY KEY,
    case_id    TEXT NOT NULL REFERENCES cases (id),
    stage_id   INTEGER NOT NULL REFERENCES case_stage (id),
    started_at TEXT NOT NULL,
    ended_at   TEXT,
    reason     TEXT
);
CREATE INDEX case_hang_case ON case_hang (case_id);

-- Every change of a case: who (login, role), when, what, from → to, note, inputs as JSON.
CREATE TABLE case_audit (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id     TEXT NOT NULL,
    at          TEXT NOT NULL,
    actor       TEXT NOT NULL,
    role        TEXT NOT NULL,
    action      TEXT NOT NULL,
    from_status TEXT,
    to_status   TEXT NOT NULL,
    note        TEXT,
    detail      TEXT
);
CREATE INDEX case_audit_case ON case_audit (case_id, seq);
CREATE TRIGGER case_audit_no_update BEFORE UPDATE ON case_audit
BEGIN
    SELECT RAISE(ABORT, 'case_audit is append-only');
END;
CREATE TRIGGER case_audit_no_delete BEFORE DELETE ON case_audit
BEGIN
    SELECT RAISE(ABORT, 'case_audit is append-only');
END;

CREATE TABLE case_photo (
    id       INTEGER PRIMARY KEY,
    case_id  TEXT NOT NULL REFERENCES cases (id),
    phase    TEXT NOT NULL CHECK (phase IN ('before', 'after')),
    added_at TEXT NOT NULL,
    added_by TEXT,
    name     TEXT,
    mime     TEXT NOT NULL,
    width    INTEGER NOT NULL,
    height   INTEGER NOT NULL,
    bytes    BLOB NOT NULL,
    thumb    BLOB NOT NULL
);
CREATE INDEX case_photo_case ON case_photo (case_id);

-- Component edits (create, edit, move, state change) with the record before and after (JSON).
CREATE TABLE component_history (
    seq    INTEGER PRIMARY KEY AUTOINCREMENT,
    code   TEXT NOT NULL,
    at     TEXT NOT NULL,
    actor  TEXT NOT NULL,
    action TEXT NOT NULL,
    before TEXT,
    after  TEXT,
    note   TEXT
);
CREATE INDEX component_history_code ON component_history (code, seq);
