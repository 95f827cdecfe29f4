-- The commit clock (sync_clock) ticks for every transaction that writes anything a report
-- figure is computed from, not only the synced tables: the server caches computed figures per
-- (units, period) tagged with the clock read before computing, and serves them while the clock
-- has not moved (reports/cache.rs). One tick per transaction, at commit, on the same row as
-- the sync stamp (one hot row locked only while a transaction commits, never two).

-- Bulk loads (chihoi.sync_off: the seeder, a restore) queue nothing: millions of pending
-- deferred events would hold memory until commit and forbid the seeder's ALTER TABLE.
-- sync_stamp (migration 000011) is the tick: guarded to once per transaction, it also stamps
-- the transaction's sync changes, whichever of its deferred triggers fires first.
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY[
        'activities', 'activity_kinds', 'activity_pledges', 'activity_presence', 'attendance',
        'fee_payments', 'fee_schedules', 'fund_entries', 'instance_settings',
        'member_contacts', 'member_events', 'member_needs', 'member_placements', 'member_presence',
        'member_profiles', 'members', 'org_unit_links', 'org_unit_periods', 'org_unit_population',
        'org_units', 'pair_checkins', 'pair_kinds', 'pair_stage_events', 'pairs',
        'pioneer_designations', 'prospects', 'rating_scales', 'support_entries', 'support_kinds',
        'support_revisions', 'unit_ratings']
    LOOP
        EXECUTE format(
            'CREATE CONSTRAINT TRIGGER %I AFTER INSERT OR UPDATE OR DELETE ON %I
                 DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
                 WHEN (coalesce(current_setting(''chihoi.sync_off'', true), '''') <> ''on'')
                 EXECUTE FUNCTION sync_stamp()',
            t || '_figures_clock', t);
    END LOOP;
END $$;
