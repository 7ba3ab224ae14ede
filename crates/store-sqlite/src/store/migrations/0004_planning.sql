-- → 3: grid planning: settings, the edit log with before/after row snapshots (undo/redo,
-- history, grids as of a date), apply/undo/redo events, and grid lineage.
CREATE TABLE plan_setting (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
-- One planning edit (split, merge, vertex move, proposal accepted, renumber…).
-- state: applied (in force), undone (on the redo stack), discarded (undone, then a new edit
-- was made, so it can no longer be redone).
CREATE TABLE plan_edit (
    id        INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,
    author    TEXT NOT NULL,
    operation TEXT NOT NULL,
    params    TEXT NOT NULL,
    note      TEXT,
    community TEXT NOT NULL,
    -- JSON: {"retired": [...], "created": [...], "modified": [...], "renamed": [[from, to]...]}
    summary   TEXT NOT NULL,
    state     TEXT NOT NULL CHECK (state IN ('applied', 'undone', 'discarded'))
);
-- Every time an edit took effect or was reverted, in order (grids as of a date replay these).
CREATE TABLE plan_event (
    id     INTEGER PRIMARY KEY,
    edit   INTEGER NOT NULL REFERENCES plan_edit (id),
    kind   TEXT NOT NULL CHECK (kind IN ('apply', 'undo', 'redo')),
    at     TEXT NOT NULL,
    author TEXT NOT NULL
);
CREATE INDEX plan_event_at ON plan_event (at);
-- Snapshots of every row an edit touched, before and after. kind: grid, community, component
-- (its grid), case (its grid), duty_member (`duty|grid`). data NULL = no such row.
CREATE TABLE plan_row (
    edit INTEGER NOT NULL REFERENCES plan_edit (id),
    side TEXT NOT NULL CHECK (side IN ('before', 'after')),
    kind TEXT NOT NULL,
    key  TEXT NOT NULL,
    data TEXT,
    geom BLOB,
    PRIMARY KEY (edit, side, kind, key)
);
CREATE INDEX plan_row_key ON plan_row (kind, key);
-- Grid lineage: which grids an edit made from which (split, merge, proposal, renumber).
CREATE TABLE plan_lineage (
    edit        INTEGER NOT NULL REFERENCES plan_edit (id),
    predecessor TEXT NOT NULL,
    successor   TEXT NOT NULL,
    PRIMARY KEY (edit, predecessor, successor)
);
CREATE INDEX plan_lineage_pred ON plan_lineage (predecessor);
CREATE INDEX plan_lineage_succ ON plan_lineage (successor);
