-- 9 → 10: a station's own role syncs (docs/centre.md, "Sync"). A batch keeps the station's
-- numbers of its rows, those of the sealed audit tables included, which migration 4's
-- numbering trigger would replace with the centre's; until now the sync switched the trigger
-- off, which only the tables' owner may. Instead the owner's functions below grant one
-- transaction the keeping of the numbers a batch gives, for one district (the calling
-- station's own), and move an identity sequence past the numbers written. Everything else
-- of the trigger stays: the district's audit lock, and the note that the commit seals the
-- district's new audit rows in the centre's chain.

-- The transactions allowed to keep given numbers, per district. Written by the function
-- below; district-keyed like every table of a district, so a station's role sees and could
-- write only its own district's rows, which grant nothing the function would not. A row is
-- dead once its transaction ended.
CREATE TABLE sync_keep_numbers (
    district district_code NOT NULL REFERENCES district (code),
    txid     bigint NOT NULL,
    PRIMARY KEY (district, txid)
);

-- Lets the calling transaction keep the numbers it gives to rows of `p_district`: for a
-- station's role only its own district; for any other role only when it is (a member of) the
-- tables' owner. Names are schema-qualified and no search_path is trusted.
CREATE FUNCTION griddesk_sync_keep_numbers(p_district text) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER
AS $$
DECLARE
    own text;
BEGIN
    SELECT s.district INTO own FROM public.centre_station s WHERE s.role = session_user;
    IF own IS NULL THEN
        IF NOT pg_catalog.pg_has_role(session_user,
                (SELECT c.relowner FROM pg_catalog.pg_class c
                  WHERE c.oid = 'public.audit_log'::pg_catalog.regclass), 'USAGE') THEN
            RAISE EXCEPTION 'role % may not keep the numbers of district %', session_user, p_district
                USING ERRCODE = 'insufficient_privilege';
        END IF;
    ELSIF own <> p_district THEN
        RAISE EXCEPTION 'the station of district % may not keep the numbers of district %', own, p_district
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    DELETE FROM public.sync_keep_numbers WHERE txid < pg_catalog.txid_current() - 1000000;
    INSERT INTO public.sync_keep_numbers (district, txid)
    VALUES (p_district, pg_catalog.txid_current())
    ON CONFLICT DO NOTHING;
END
$$;
REVOKE ALL ON FUNCTION griddesk_sync_keep_numbers(text) FROM PUBLIC;
DO $$
BEGIN
    EXECUTE format('GRANT EXECUTE ON FUNCTION griddesk_sync_keep_numbers(text) TO %I',
                   current_database() || '_station');
END
$$;

-- Moves the identity sequence of `p_table`.`p_column` past the largest number the table holds
-- (numbers only ever move forward, so any caller may).
CREATE FUNCTION griddesk_sync_move_sequence(p_table text, p_column text) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER
AS $$
DECLARE
    seq text := pg_catalog.pg_get_serial_sequence(
        'public.' || pg_catalog.quote_ident(p_table), p_column);
    m   bigint;
BEGIN
    IF seq IS NULL THEN
        RAISE EXCEPTION 'public.%.% has no identity sequence', p_table, p_column;
    END IF;
    EXECUTE format('SELECT max(%I)::bigint FROM public.%I', p_column, p_table) INTO m;
    IF m IS NOT NULL THEN
        -- A sequence never drawn from (`is_called` false) would hand out its last value itself.
        EXECUTE format('SELECT pg_catalog.setval(%L::regclass, %s)
                         WHERE (SELECT %s > last_value OR NOT is_called FROM %s)',
                       seq, m, m, seq);
    END IF;
END
$$;
REVOKE ALL ON FUNCTION griddesk_sync_move_sequence(text, text) FROM PUBLIC;
DO $$
BEGIN
    EXECUTE format('GRANT EXECUTE ON FUNCTION griddesk_sync_move_sequence(text, text) TO %I',
                   current_database() || '_station');
END
$$;

-- Migration 4's numbering, keeping a number given in a transaction granted above. SECURITY
-- DEFINER so that it may read the grants (and draw numbers) for a station; no SET clause, so
-- the transaction-local note of the districts to seal outlives the call.
CREATE OR REPLACE FUNCTION griddesk_audit_order() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
AS $$
DECLARE
    dirty text := coalesce(pg_catalog.current_setting('griddesk.audit_dirty', true), '');
    keep  boolean;
BEGIN
    PERFORM pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('griddesk.audit'),
                                             pg_catalog.hashtext(NEW.district));
    SELECT EXISTS (SELECT 1 FROM public.sync_keep_numbers k
                    WHERE k.district = NEW.district AND k.txid = pg_catalog.txid_current())
      INTO keep;
    IF TG_ARGV[0] = 'seq' THEN
        IF NOT keep OR NEW.seq IS NULL THEN
            NEW.seq := pg_catalog.nextval(pg_catalog.pg_get_serial_sequence(
                pg_catalog.quote_ident(TG_TABLE_SCHEMA) || '.' || pg_catalog.quote_ident(TG_TABLE_NAME), 'seq'));
        END IF;
    ELSE
        IF NOT keep OR NEW.id IS NULL THEN
            NEW.id := pg_catalog.nextval(pg_catalog.pg_get_serial_sequence(
                pg_catalog.quote_ident(TG_TABLE_SCHEMA) || '.' || pg_catalog.quote_ident(TG_TABLE_NAME), 'id'));
        END IF;
    END IF;
    IF pg_catalog.strpos(',' || dirty || ',', ',' || NEW.district || ',') = 0 THEN
        PERFORM pg_catalog.set_config('griddesk.audit_dirty',
            CASE WHEN dirty = '' THEN NEW.district ELSE dirty || ',' || NEW.district END, true);
    END IF;
    RETURN NEW;
END
$$;
