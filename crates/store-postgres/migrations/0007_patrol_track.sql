-- 6 → 7: patrol tracks (巡查轨迹; station migration 12, docs/station.md, "Patrol tracks"): the
-- positions an inspector's phone recorded while on patrol, each under the id the phone gave it,
-- so a point sent again (a batch repeated after a dropped answer) is the same row. A login and
-- a point id are a station's own, so the key begins with the district, as every district-owned
-- key does; like the station, the login names no account (a track outlives its inspector's
-- account). The station's lon/lat columns are kept, with a generated point beside them for
-- searches by place. The station role's grants and row-level security policy (its own
-- district's points only) and the generation trigger come with the migrator's
-- `griddesk_secure_tables()` / `griddesk_watch_tables()`, as for every district-owned table.

CREATE TABLE track_point (
    district    district_code NOT NULL REFERENCES district (code),
    login       text NOT NULL,
    point_id    text NOT NULL,
    patrol      text,
    recorded_at timestamp NOT NULL,
    lon         double precision NOT NULL,
    lat         double precision NOT NULL,
    geom        geometry(Point, 4326)
                GENERATED ALWAYS AS (ST_SetSRID(ST_MakePoint(lon, lat), 4326)) STORED,
    accuracy    double precision,
    received_at timestamp NOT NULL,
    PRIMARY KEY (district, login, point_id)
);
CREATE INDEX track_point_day ON track_point (district, login, recorded_at);
CREATE INDEX track_point_geom ON track_point USING gist (geom);
