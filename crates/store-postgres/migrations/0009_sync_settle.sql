-- 8 → 9: settling sync conflicts (docs/centre.md, "Sync"). A person keeps the station's
-- version, the centre's, or a row merged column by column; the choice, who made it and when are
-- kept with the conflict (and in the district's sealed audit log). A settled conflict is closed:
-- the station's change it was about is neither raised again nor applied, and the chosen row,
-- written at the centre, comes down to the station at its next sync.
ALTER TABLE sync_conflict
    ADD COLUMN settled_at  timestamptz,
    ADD COLUMN settled_by  text,
    ADD COLUMN choice      text CHECK (choice IN ('station', 'centre', 'merged')),
    ADD COLUMN settled_row text,
    ADD CONSTRAINT sync_conflict_settled_whole
        CHECK ((settled_at IS NULL) = (settled_by IS NULL) AND (settled_at IS NULL) = (choice IS NULL));
CREATE INDEX sync_conflict_settled ON sync_conflict (district, tbl, key) WHERE settled_at IS NOT NULL;
