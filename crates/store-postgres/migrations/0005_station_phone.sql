-- 4 → 5: the station's phone pages (station migration 11, docs/station.md, "Phones"): what an
-- inspector's phone sent under its idempotency key, so that a report or a task result sent
-- again answers the first one and changes nothing. The policies, grants and generation
-- triggers come with the migrator's `griddesk_secure_tables()` / `griddesk_watch_tables()`.

CREATE TABLE station_phone_action (
    district    district_code NOT NULL,
    login       text NOT NULL,
    idempotency text NOT NULL,
    case_id     text NOT NULL,
    action      text NOT NULL,
    received_at timestamp NOT NULL,
    PRIMARY KEY (district, login, idempotency),
    FOREIGN KEY (district, case_id) REFERENCES cases (district, id)
);
