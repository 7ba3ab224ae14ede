-- Schema 4 → 5: the 网格规划员 (planner) role, who edits unit grids and responsibility zones.
-- SQLite cannot change a CHECK constraint in place: the role table is copied into a new one.
CREATE TABLE user_role_v5 (
    login TEXT NOT NULL REFERENCES app_user (login) ON DELETE CASCADE,
    role  TEXT NOT NULL CHECK (role IN ('inspector', 'receptionist', 'shift_leader', 'dispatcher',
                                        'department', 'leader', 'admin', 'planner')),
    PRIMARY KEY (login, role)
);
INSERT INTO user_role_v5 (login, role) SELECT login, role FROM user_role;
DROP TABLE user_role;
ALTER TABLE user_role_v5 RENAME TO user_role;
