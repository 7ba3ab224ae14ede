-- → 11: the station's phone pages (docs/station.md, "Phones"). What an inspector's phone sent
-- under its idempotency key (device id + the phone's request id): a report or a task result
-- sent again after a dropped connection answers the first result and changes nothing.

CREATE TABLE station_phone_action (
    login       TEXT NOT NULL,
    idempotency TEXT NOT NULL,
    case_id     TEXT NOT NULL REFERENCES cases (id),
    action      TEXT NOT NULL,
    received_at TEXT NOT NULL,
    PRIMARY KEY (login, idempotency)
);
