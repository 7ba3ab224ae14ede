-- 1 → 2: stations. Each district station logs in as its own PostgreSQL role, a member of the
-- database's station group `<database>_station`; row-level security lets it read and write
-- its district's rows only, and read the shared rows (code tables, calendar, filing standards,
-- the city's settings). The centre's own role owns the tables and is not limited by the
-- policies (they are not FORCEd).

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = current_database() || '_station') THEN
        EXECUTE format('CREATE ROLE %I NOLOGIN', current_database() || '_station');
    END IF;
END
$$;

-- Which role is which district's station.
CREATE TABLE centre_station (
    role       name PRIMARY KEY,
    district   district_code NOT NULL UNIQUE REFERENCES district (code),
    created_at timestamptz NOT NULL DEFAULT now()
);

-- The district of the station role running the query; NULL for any other role.
CREATE FUNCTION griddesk_station_district() RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE
    SET search_path = public, pg_temp
AS $$
    SELECT district FROM centre_station WHERE role = current_user
$$;

-- Puts the station group's grants and the row-level security policies on every table of the
-- schema: district-owned tables (those with a `district` column) get read and write limited
-- to the station's district (rows with a NULL district are the city's shared ones: readable,
-- never inserted, changed or deleted by a station); tables without one are shared and read-only to stations.
-- Run after every migration (the migrator does), so a table added later is covered too.
CREATE FUNCTION griddesk_secure_tables() RETURNS void
    LANGUAGE plpgsql
    SET search_path = public, pg_temp
AS $$
DECLARE
    grp  text := current_database() || '_station';
    t    record;
BEGIN
    EXECUTE format('REVOKE ALL ON DATABASE %I FROM PUBLIC', current_database());
    EXECUTE format('GRANT CONNECT, TEMPORARY ON DATABASE %I TO %I', current_database(), grp);
    EXECUTE format('GRANT USAGE ON SCHEMA public TO %I', grp);
    EXECUTE format('GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO %I', grp);
    FOR t IN
        SELECT c.relname AS name,
               a.attname IS NOT NULL AS owned,
               coalesce(NOT a.attnotnull, false) AS nullable
          FROM pg_class c
          JOIN pg_namespace n ON n.oid = c.relnamespace
          LEFT JOIN pg_attribute a
            ON a.attrelid = c.oid AND a.attname = 'district' AND NOT a.attisdropped
         WHERE n.nspname = 'public' AND c.relkind = 'r'
           AND c.relname NOT IN ('spatial_ref_sys', 'centre_schema', 'centre_station')
    LOOP
        EXECUTE format('REVOKE ALL ON %I FROM PUBLIC', t.name);
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t.name);
        EXECUTE format('DROP POLICY IF EXISTS station_rows ON %I', t.name);
        EXECUTE format('DROP POLICY IF EXISTS station_read ON %I', t.name);
        IF t.name = 'district' THEN
            EXECUTE format('GRANT SELECT ON %I TO %I', t.name, grp);
            EXECUTE format(
                'CREATE POLICY station_read ON %I FOR SELECT TO %I
                 USING (code = griddesk_station_district())', t.name, grp);
        ELSIF t.owned THEN
            EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO %I', t.name, grp);
            EXECUTE format(
                'CREATE POLICY station_rows ON %I FOR ALL TO %I
                 USING (district = griddesk_station_district())
                 WITH CHECK (district = griddesk_station_district())', t.name, grp);
            IF t.nullable THEN
                -- The city's own rows (no district): read, never changed, by a station.
                EXECUTE format(
                    'CREATE POLICY station_read ON %I FOR SELECT TO %I
                     USING (district IS NULL)', t.name, grp);
            END IF;
        ELSE
            EXECUTE format('GRANT SELECT ON %I TO %I', t.name, grp);
            EXECUTE format(
                'CREATE POLICY station_read ON %I FOR SELECT TO %I USING (true)', t.name, grp);
        END IF;
    END LOOP;
    -- A station sees its own entry only, and the schema version.
    REVOKE ALL ON centre_station FROM PUBLIC;
    ALTER TABLE centre_station ENABLE ROW LEVEL SECURITY;
    EXECUTE format('GRANT SELECT ON centre_station TO %I', grp);
    DROP POLICY IF EXISTS station_read ON centre_station;
    EXECUTE format(
        'CREATE POLICY station_read ON centre_station FOR SELECT TO %I
         USING (role = current_user)', grp);
    REVOKE ALL ON centre_schema FROM PUBLIC;
    EXECUTE format('GRANT SELECT ON centre_schema TO %I', grp);
END
$$;

-- Creates the station role of a district (or gives an existing one a new password) and
-- returns its name and password. The password is 256 random bits from the server's strong
-- random source, stored as a SCRAM verifier. Needs a role that may create roles.
CREATE FUNCTION griddesk_add_station(p_district text, OUT role_name text, OUT password text)
    LANGUAGE plpgsql
    SET search_path = public, pg_temp
AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM district WHERE code = p_district) THEN
        RAISE EXCEPTION 'district % is not in this centre', p_district
            USING ERRCODE = 'no_data_found';
    END IF;
    role_name := current_database() || '_station_' || p_district;
    password := replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', '');
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = role_name) THEN
        EXECUTE format('ALTER ROLE %I WITH LOGIN PASSWORD %L', role_name, password);
    ELSE
        EXECUTE format(
            'CREATE ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS
             INHERIT PASSWORD %L IN ROLE %I',
            role_name, password, current_database() || '_station');
    END IF;
    EXECUTE format('GRANT %I TO %I', current_database() || '_station', role_name);
    INSERT INTO centre_station (role, district) VALUES (role_name, p_district)
        ON CONFLICT (role) DO NOTHING;
END
$$;
REVOKE ALL ON FUNCTION griddesk_add_station(text) FROM PUBLIC;
