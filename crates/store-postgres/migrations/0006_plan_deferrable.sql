-- 5 → 6: the references to a unit grid may be checked at commit. A grid edit renames grids
-- (swapped codes included) and undo/redo removes and restores grid rows while components,
-- cases, duty and zone memberships still name them; the station defers its foreign keys for
-- those transactions (`PRAGMA defer_foreign_keys`), the centre `SET CONSTRAINTS ALL DEFERRED`.
-- Every other statement still checks them at once (INITIALLY IMMEDIATE).
ALTER TABLE duty_grid_member ALTER CONSTRAINT duty_grid_member_district_grid_fkey
    DEFERRABLE INITIALLY IMMEDIATE;
ALTER TABLE component ALTER CONSTRAINT component_district_grid_fkey
    DEFERRABLE INITIALLY IMMEDIATE;
ALTER TABLE cases ALTER CONSTRAINT cases_district_grid_fkey
    DEFERRABLE INITIALLY IMMEDIATE;
ALTER TABLE zone_member ALTER CONSTRAINT zone_member_district_grid_fkey
    DEFERRABLE INITIALLY IMMEDIATE;
