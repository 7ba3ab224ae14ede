-- 2 → 3: a generation number any writer bumps (docs/architecture.md, "What still has to move",
-- 1). A station writes straight into the centre, so the centre's in-memory indexes must follow
-- every writer, not only their own process. One counter per district (NULL: the city's shared
-- rows) is bumped by every transaction that changes a row of that district, whoever runs it.
-- A connection tells its own commits from the others' by the value each counter had before
-- its transaction first bumped it, kept in a transaction-local setting
-- `griddesk.gen_before_<district or city>`.

CREATE TABLE centre_generation (
    district district_code UNIQUE NULLS NOT DISTINCT,
    n        bigint NOT NULL DEFAULT 0
);

-- Statement-level (transition tables): one bump per district a statement touched. SECURITY
-- DEFINER so that a station's write bumps its counter though the station cannot write the
-- counter table; every name is schema-qualified (no search_path is trusted).
CREATE FUNCTION griddesk_bump_generation() RETURNS trigger
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
REVOKE ALL ON FUNCTION griddesk_bump_generation() FROM PUBLIC;

-- The grants and policies of 0002, and the counter's triggers on every table.
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
                                 'centre_generation')
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
END
$$;
