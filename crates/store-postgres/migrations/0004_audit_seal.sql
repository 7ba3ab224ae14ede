-- 3 → 4: the seal chain over every audit table (docs/trust.md, "Tamper evidence"), one chain per
-- district. A station seals its rows at every commit; so does the centre, per district.
--
-- Rows are sealed in ranges of their key, so the keys of one district's audit rows must follow
-- the order their transactions commit in: a row numbered below a range already sealed would
-- never be sealed. Every insert into a sealed table therefore first takes the district's audit
-- lock (held to the end of its transaction) and only then draws its number; the centre numbers
-- these rows itself. The districts a transaction wrote audit rows of are noted in the
-- transaction-local setting `griddesk.audit_dirty`, for the seal before commit.

-- Seals are numbered 1, 2, 3… within their district (a gap is a removed seal).
ALTER TABLE audit_seal ALTER COLUMN seq DROP IDENTITY;

CREATE FUNCTION griddesk_audit_order() RETURNS trigger
    LANGUAGE plpgsql
AS $$
DECLARE
    dirty text := coalesce(pg_catalog.current_setting('griddesk.audit_dirty', true), '');
BEGIN
    PERFORM pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('griddesk.audit'),
                                             pg_catalog.hashtext(NEW.district));
    IF TG_ARGV[0] = 'seq' THEN
        NEW.seq := pg_catalog.nextval(pg_catalog.pg_get_serial_sequence(
            pg_catalog.quote_ident(TG_TABLE_SCHEMA) || '.' || pg_catalog.quote_ident(TG_TABLE_NAME), 'seq'));
    ELSE
        NEW.id := pg_catalog.nextval(pg_catalog.pg_get_serial_sequence(
            pg_catalog.quote_ident(TG_TABLE_SCHEMA) || '.' || pg_catalog.quote_ident(TG_TABLE_NAME), 'id'));
    END IF;
    IF pg_catalog.strpos(',' || dirty || ',', ',' || NEW.district || ',') = 0 THEN
        PERFORM pg_catalog.set_config('griddesk.audit_dirty',
            CASE WHEN dirty = '' THEN NEW.district ELSE dirty || ',' || NEW.district END, true);
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER case_audit_order BEFORE INSERT ON case_audit
    FOR EACH ROW EXECUTE FUNCTION griddesk_audit_order('seq');
CREATE TRIGGER component_history_order BEFORE INSERT ON component_history
    FOR EACH ROW EXECUTE FUNCTION griddesk_audit_order('seq');
CREATE TRIGGER plan_edit_order BEFORE INSERT ON plan_edit
    FOR EACH ROW EXECUTE FUNCTION griddesk_audit_order('id');
CREATE TRIGGER plan_event_order BEFORE INSERT ON plan_event
    FOR EACH ROW EXECUTE FUNCTION griddesk_audit_order('id');
CREATE TRIGGER sign_in_log_order BEFORE INSERT ON sign_in_log
    FOR EACH ROW EXECUTE FUNCTION griddesk_audit_order('seq');
CREATE TRIGGER audit_log_order BEFORE INSERT ON audit_log
    FOR EACH ROW EXECUTE FUNCTION griddesk_audit_order('seq');
CREATE TRIGGER service_object_history_order BEFORE INSERT ON service_object_history
    FOR EACH ROW EXECUTE FUNCTION griddesk_audit_order('seq');
CREATE TRIGGER vendor_warning_order BEFORE INSERT ON vendor_warning
    FOR EACH ROW EXECUTE FUNCTION griddesk_audit_order('id');
CREATE TRIGGER person_lookup_order BEFORE INSERT ON person_lookup
    FOR EACH ROW EXECUTE FUNCTION griddesk_audit_order('seq');
