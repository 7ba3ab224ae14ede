-- → 12: patrol tracks (巡查轨迹, docs/station.md, "Patrol tracks"). The positions an inspector's
-- phone recorded while on patrol, each under the id the phone gave it: a point sent again (a
-- batch repeated after a dropped answer) is the same row, so every point is kept once.

CREATE TABLE track_point (
    login       TEXT NOT NULL,
    point_id    TEXT NOT NULL,
    patrol      TEXT,
    recorded_at TEXT NOT NULL,
    lon         REAL NOT NULL,
    lat         REAL NOT NULL,
    accuracy    REAL,
    received_at TEXT NOT NULL,
    PRIMARY KEY (login, point_id)
);

CREATE INDEX track_point_day ON track_point (login, recorded_at);
