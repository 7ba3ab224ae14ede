-- 10 → 11: a counter per district and table (docs/centre.md, "Sync"). Migration 3's
-- counters say that something of a district changed; a station's download then had to read
-- the whole district to find what. The same trigger now also bumps, once per transaction, the
-- counter of each table it fires on, per district (NULL: the city's shared rows): a download
-- reads only the tables whose counter moved since the station's last one. Stations read their
-- district's counters and the city's; only the trigger writes them.

CREATE TABLE sync_table_generation (
    district district_code REFERENCES district (code),
    tbl      text NOT NULL,
    n        bigint NOT NULL DEFAULT 0,
    UNIQUE NULLS NOT DISTINCT (district, tbl)
);

-- Migration 3's function, bumping the table's counter too.
CREATE OR REPLACE FUNCTION griddesk_bump_generation() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
AS $$
DECLARE
    scopes text[];
    s      text;
    after  bigint;
BEGIN
    IF TG_ARGV[0] = 'city' THEN
        scopes := ARRAY['city'];
    ELSIF TG_OP = 'INSERT' THEN
        IF TG_ARGV[0] = 'code' THEN
            SELECT array_agg(DISTINCT code::text) INTO scopes FROM new_rows;
        ELSE
            SELECT array_agg(DISTINCT coalesce(district::text, 'city')) INTO scopes FROM new_rows;
        END IF;
    ELSIF TG_OP = 'DELETE' THEN
        IF TG_ARGV[0] = 'code' THEN
            SELECT array_agg(DISTINCT code::text) INTO scopes FROM old_rows;
        ELSE
            SELECT array_agg(DISTINCT coalesce(district::text, 'city')) INTO scopes FROM old_rows;
        END IF;
    ELSE
        IF TG_ARGV[0] = 'code' THEN
            SELECT array_agg(DISTINCT c) INTO scopes
              FROM (SELECT code::text FROM new_rows UNION SELECT code::text FROM old_rows) t (c);
        ELSE
            SELECT array_agg(DISTINCT c) INTO scopes
              FROM (SELECT coalesce(district::text, 'city') FROM new_rows
                    UNION SELECT coalesce(district::text, 'city') FROM old_rows) t (c);
        END IF;
    END IF;
    -- Once per transaction and counter: the counter stays locked by this transaction until it
    -- ends, so one bump already tells every other connection that something changed.
    FOREACH s IN ARRAY coalesce(scopes, '{}'::text[]) LOOP
        -- The table's own counter of the scope, once per transaction (migration 11).
        IF coalesce(pg_catalog.current_setting('griddesk.tgen_' || s || '_' || TG_TABLE_NAME, true), '') = '' THEN
            INSERT INTO public.sync_table_generation AS g (district, tbl, n)
            VALUES (nullif(s, 'city'), TG_TABLE_NAME, 1)
            ON CONFLICT (district, tbl) DO UPDATE SET n = g.n + 1;
            PERFORM pg_catalog.set_config('griddesk.tgen_' || s || '_' || TG_TABLE_NAME, '1', true);
        END IF;
        IF coalesce(pg_catalog.current_setting('griddesk.gen_before_' || s, true), '') = '' THEN
            INSERT INTO public.centre_generation AS g (district, n)
            VALUES (nullif(s, 'city'), 1)
            ON CONFLICT (district) DO UPDATE SET n = g.n + 1
            RETURNING g.n INTO after;
            PERFORM pg_catalog.set_config('griddesk.gen_before_' || s, (after - 1)::text, true);
        END IF;
    END LOOP;
    RETURN NULL;
END
$$;

-- Migration 3's function, leaving the new counters out of the watched tables and closed to
-- stations' writes as `centre_generation` is.
CREATE OR REPLACE FUNCTION griddesk_watch_tables() RETURNS void
    LANGUAGE plpgsql
    SET search_path = public, pg_temp
AS $$
DECLARE
    t   record;
    arg text;
BEGIN
    FOR t IN
        SELECT c.relname AS name, a.attname IS NOT NULL AS owned
          FROM pg_class c
          JOIN pg_namespace n ON n.oid = c.relnamespace
          LEFT JOIN pg_attribute a
            ON a.attrelid = c.oid AND a.attname = 'district' AND NOT a.attisdropped
         WHERE n.nspname = 'public' AND c.relkind = 'r'
           AND c.relname NOT IN ('spatial_ref_sys', 'centre_schema', 'centre_station',
                                 'centre_generation', 'sync_table_generation')
    LOOP
        arg := CASE WHEN t.name = 'district' THEN 'code'
                    WHEN t.owned THEN 'district'
                    ELSE 'city' END;
        EXECUTE format(
            'CREATE OR REPLACE TRIGGER griddesk_generation_insert AFTER INSERT ON %I
             REFERENCING NEW TABLE AS new_rows
             FOR EACH STATEMENT EXECUTE FUNCTION griddesk_bump_generation(%L)', t.name, arg);
        EXECUTE format(
            'CREATE OR REPLACE TRIGGER griddesk_generation_update AFTER UPDATE ON %I
             REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
             FOR EACH STATEMENT EXECUTE FUNCTION griddesk_bump_generation(%L)', t.name, arg);
        EXECUTE format(
            'CREATE OR REPLACE TRIGGER griddesk_generation_delete AFTER DELETE ON %I
             REFERENCING OLD TABLE AS old_rows
             FOR EACH STATEMENT EXECUTE FUNCTION griddesk_bump_generation(%L)', t.name, arg);
    END LOOP;
    -- Stations read their district's counter and the city's; only the triggers write them.
    EXECUTE format('REVOKE INSERT, UPDATE, DELETE ON centre_generation FROM %I',
                   current_database() || '_station');
    EXECUTE format('REVOKE INSERT, UPDATE, DELETE ON sync_table_generation FROM %I',
                   current_database() || '_station');
END
$$;
