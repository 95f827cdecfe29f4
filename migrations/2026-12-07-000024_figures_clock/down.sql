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
        EXECUTE format('DROP TRIGGER IF EXISTS %I ON %I', t || '_figures_clock', t);
    END LOOP;
END $$;
