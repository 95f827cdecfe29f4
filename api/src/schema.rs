// @generated automatically by Diesel CLI.

diesel::table! {
    use diesel::sql_types::*;
    use diesel_ltree::sql_types::Ltree;

    activities (id) {
        id -> Uuid,
        unit_id -> Uuid,
        unit_path -> Ltree,
        kind -> Text,
        starts_at -> Timestamptz,
        held_on -> Date,
        ends_at -> Nullable<Timestamptz>,
        title -> Text,
        topic -> Text,
        location -> Text,
        organiser_member_id -> Nullable<Uuid>,
        expected -> Int4,
        notes -> Text,
        status -> Text,
        attendance_recorded_at -> Nullable<Timestamptz>,
        created_by -> Nullable<Uuid>,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use diesel_ltree::sql_types::Ltree;

    activity_kinds (code) {
        code -> Text,
        name_vi -> Text,
        name_en -> Text,
        is_meeting -> Bool,
        online -> Bool,
        active -> Bool,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use diesel_ltree::sql_types::Ltree;

    activity_pledges (id) {
        id -> Uuid,
        activity_id -> Uuid,
        description -> Text,
        pledged_by -> Text,
        value_vnd -> Nullable<Int8>,
        created_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use diesel_ltree::sql_types::Ltree;

    activity_presence (activity_id) {
        activity_id -> Uuid,
        present -> Int4,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use diesel_ltree::sql_types::Ltree;

    api_tokens (id) {
        id -> Uuid,
        user_id -> Uuid,
        name -> Text,
        token_prefix -> Text,
        token_hash -> Bytea,
        scopes -> Array<Nullable<Text>>,
        created_at -> Timestamptz,
        expires_at -> Nullable<Timestamptz>,
        last_used_at -> Nullable<Timestamptz>,
        revoked_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use diesel_ltree::sql_types::Ltree;

    attendance (id) {
        id -> Uuid,
        activity_id -> Uuid,
        member_id -> Nullable<Uuid>,
        prospect_id -> Nullable<Uuid>,
        status -> Text,
        note -> Text,
        recorded_by -> Nullable<Uuid>,
        recorded_at -> Timestamptz,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use diesel_ltree::sql_types::Ltree;

    audit_events (id) {
        id -> Int8,
        occurred_at -> Timestamptz,
        actor_type -> Text,
        actor_id -> Nullable<Uuid>,
        actor_name -> Nullable<Text>,
        action -> Text,
        outcome -> Text,
        object_type -> Nullable<Text>,
        object_id -> Nullable<Text>,
        org_unit_id -> Nullable<Uuid>,
        fields -> Array<Nullable<Text>>,
        request_id -> Nullable<Text>,
        client_ip -> Nullable<Text>,
        details -> Jsonb,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use diesel_ltree::sql_types::Ltree;

    data_requests (id) {
        id -> Uuid,
        member_id -> Uuid,
        kind -> Text,
        status -> Text,
        note -> Text,
        requested_by -> Nullable<Uuid>,
        requested_at -> Timestamptz,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use diesel_ltree::sql_types::Ltree;

    ethnicities (code) {
        code -> Text,
        name -> Text,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use diesel_ltree::sql_types::Ltree;

    fee_payments (id) {
        id -> Uuid,
        member_id -> Uuid,
        unit_id -> Uuid,
        unit_path -> Ltree,
        year -> Int4,
        period_no -> Int4,
        amount_vnd -> Int8,
        paid_on -> Date,
        recorded_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
        period -> Text,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use diesel_ltree::sql_types::Ltree;

    fee_schedules (id) {
        id -> Uuid,
        unit_id -> Uuid,
        year -> Int4,
        period -> Text,
        amount_vnd -> Int8,
        notes -> Text,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use diesel_ltree::sql_types::Ltree;

    fund_entries (id) {
        id -> Uuid,
        unit_id -> Uuid,
        direction -> Text,
        category -> Text,
        amount_vnd -> Int8,
        entry_on -> Date,
        activity_id -> Nullable<Uuid>,
        description -> Text,
        status -> Text,
        void_reason -> Text,
        created_by -> Nullable<Uuid>,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use diesel_ltree::sql_types::Ltree;

    idempotency_keys (caller, key) {
        caller -> Text,
        key -> Text,
        request_method -> Text,
        request_path -> Text,
        fingerprint -> Bytea,
        locked_at -> Nullable<Timestamptz>,
        response_status -> Nullable<Int2>,
        response_headers -> Nullable<Jsonb>,
        response_body -> Nullable<Bytea>,
        created_at -> Timestamptz,
        expires_at -> Timestamptz,
        claimed_by_pid -> Nullable<Int4>,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use diesel_ltree::sql_types::Ltree;

    instance_settings (key) {
        key -> Text,
        value -> Jsonb,
        description -> Text,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use diesel_ltree::sql_types::Ltree;

    jobs (id) {
        id -> Uuid,
        kind -> Text,
        status -> Text,
        owner_id -> Nullable<Uuid>,
        org_unit_id -> Nullable<Uuid>,
        progress -> Int4,
        total -> Int4,
        result -> Jsonb,
        created_at -> Timestamptz,
        started_at -> Nullable<Timestamptz>,
        finished_at -> Nullable<Timestamptz>,
        heartbeat_at -> Timestamptz,
        cancel_requested_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use diesel_ltree::sql_types::Ltree;

    login_throttle (subject) {
        subject -> Text,
        failures -> Int4,
        window_started_at -> Timestamptz,
        blocked_until -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use diesel_ltree::sql_types::Ltree;

    machine_clients (id) {
        id -> Uuid,
        name -> Text,
        org_unit_id -> Uuid,
        secret_prefix -> Text,
        secret_hash -> Bytea,
        status -> Text,
        token_version -> Int4,
        created_by -> Nullable<Uuid>,
        last_used_at -> Nullable<Timestamptz>,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use diesel_ltree::sql_types::Ltree;

    member_channel_consents (member_id, platform) {
        member_id -> Uuid,
        platform -> Text,
        consented -> Bool,
        decided_on -> Date,
        recorded_by -> Nullable<Uuid>,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use diesel_ltree::sql_types::Ltree;

    member_consents (id) {
        id -> Uuid,
        member_id -> Uuid,
        purpose -> Text,
        legal_basis -> Text,
        granted -> Bool,
        decided_on -> Date,
        evidence -> Text,
        recorded_by -> Nullable<Uuid>,
        recorded_at -> Timestamptz,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use diesel_ltree::sql_types::Ltree;

    member_contacts (id) {
        id -> Uuid,
        member_id -> Uuid,
        contacted_on -> Date,
        method -> Text,
        contacted_by -> Nullable<Uuid>,
        note -> Text,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use diesel_ltree::sql_types::Ltree;

    member_erasures (member_id) {
        member_id -> Uuid,
        basis -> Text,
        reason -> Text,
        erased_by -> Nullable<Uuid>,
        erased_at -> Timestamptz,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use diesel_ltree::sql_types::Ltree;

    member_events (id) {
        id -> Uuid,
        member_id -> Uuid,
        kind -> Text,
        occurred_on -> Date,
        reason -> Text,
        from_unit_id -> Nullable<Uuid>,
        to_unit_id -> Nullable<Uuid>,
        transfer_id -> Nullable<Uuid>,
        recorded_by -> Nullable<Uuid>,
        recorded_at -> Timestamptz,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use diesel_ltree::sql_types::Ltree;

    member_name_tokens (token, sort_key, member_id) {
        token -> Text,
        sort_key -> Text,
        member_id -> Uuid,
        search_key -> Text,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use diesel_ltree::sql_types::Ltree;

    member_needs (id) {
        id -> Uuid,
        member_id -> Uuid,
        kind -> Text,
        description -> Text,
        status -> Text,
        verified_on -> Nullable<Date>,
        met_on -> Nullable<Date>,
        created_by -> Nullable<Uuid>,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use diesel_ltree::sql_types::Ltree;

    member_photos (member_id) {
        member_id -> Uuid,
        content_type -> Text,
        bytes -> Bytea,
        digest -> Text,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use diesel_ltree::sql_types::Ltree;

    member_placements (member_id, valid_from) {
        member_id -> Uuid,
        unit_id -> Uuid,
        valid_from -> Date,
        valid_to -> Nullable<Date>,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use diesel_ltree::sql_types::Ltree;

    member_presence (unit_id, year, member_id) {
        unit_id -> Uuid,
        year -> Int2,
        member_id -> Uuid,
        months -> Array<Nullable<Int4>>,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use diesel_ltree::sql_types::Ltree;

    member_profile_events (id) {
        id -> Uuid,
        member_id -> Uuid,
        poverty_status -> Text,
        circumstances -> Array<Nullable<Text>>,
        notes -> Text,
        verified_on -> Nullable<Date>,
        recorded_by -> Nullable<Uuid>,
        recorded_at -> Timestamptz,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use diesel_ltree::sql_types::Ltree;

    member_profiles (member_id) {
        member_id -> Uuid,
        poverty_status -> Text,
        circumstances -> Array<Nullable<Text>>,
        notes -> Text,
        verified_on -> Nullable<Date>,
        verified_by -> Nullable<Uuid>,
        version -> Int4,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use diesel_ltree::sql_types::Ltree;

    member_transfers (id) {
        id -> Uuid,
        member_id -> Uuid,
        from_unit_id -> Uuid,
        to_unit_id -> Uuid,
        to_unit_path -> Ltree,
        status -> Text,
        requested_on -> Date,
        decided_on -> Nullable<Date>,
        reason -> Text,
        decision_reason -> Text,
        requested_by -> Nullable<Uuid>,
        decided_by -> Nullable<Uuid>,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use diesel_ltree::sql_types::Ltree;

    members (id) {
        id -> Uuid,
        family_name -> Text,
        middle_name -> Text,
        given_name -> Text,
        search_key -> Text,
        sort_key -> Text,
        sex -> Text,
        birth_date -> Nullable<Date>,
        birth_year -> Nullable<Int2>,
        cccd -> Nullable<Text>,
        cccd_legacy -> Bool,
        phone -> Nullable<Text>,
        address -> Text,
        ethnicity_code -> Nullable<Text>,
        religion_code -> Nullable<Text>,
        occupation -> Text,
        education -> Text,
        party_member -> Bool,
        party_joined_on -> Nullable<Date>,
        joined_on -> Date,
        card_number -> Nullable<Text>,
        member_type -> Text,
        pioneer -> Bool,
        status -> Text,
        unit_id -> Uuid,
        unit_path -> Ltree,
        prospect_id -> Nullable<Uuid>,
        last_contact_on -> Nullable<Date>,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        civil_servant -> Bool,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use diesel_ltree::sql_types::Ltree;

    name_tokens (token) {
        token -> Text,
        members -> Nullable<Int4>,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use diesel_ltree::sql_types::Ltree;

    oauth_apps (id) {
        id -> Uuid,
        client_id -> Text,
        client_name -> Text,
        owner -> Text,
        logo_text -> Nullable<Text>,
        org_unit_id -> Uuid,
        redirect_uris -> Array<Nullable<Text>>,
        scopes -> Array<Nullable<Text>>,
        token_endpoint_auth_method -> Text,
        secret_hash -> Nullable<Bytea>,
        secret_prefix -> Nullable<Text>,
        status -> Text,
        version -> Int4,
        last_used_at -> Nullable<Timestamptz>,
        created_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use diesel_ltree::sql_types::Ltree;

    oauth_codes (code_hash) {
        code_hash -> Bytea,
        app_id -> Uuid,
        user_id -> Uuid,
        redirect_uri -> Text,
        scopes -> Array<Nullable<Text>>,
        code_challenge -> Text,
        created_at -> Timestamptz,
        expires_at -> Timestamptz,
        used_at -> Nullable<Timestamptz>,
        session_id -> Nullable<Uuid>,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use diesel_ltree::sql_types::Ltree;

    oauth_consents (user_id, app_id) {
        user_id -> Uuid,
        app_id -> Uuid,
        scopes -> Array<Nullable<Text>>,
        granted_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use diesel_ltree::sql_types::Ltree;

    org_levels (code) {
        code -> Text,
        rank -> Int2,
        name_vi -> Text,
        name_en -> Text,
        historical -> Bool,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use diesel_ltree::sql_types::Ltree;

    org_unit_links (predecessor_id, successor_id) {
        predecessor_id -> Uuid,
        successor_id -> Uuid,
        kind -> Text,
        effective_on -> Date,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use diesel_ltree::sql_types::Ltree;

    org_unit_periods (unit_id, valid_from) {
        unit_id -> Uuid,
        valid_from -> Date,
        valid_to -> Nullable<Date>,
        parent_id -> Nullable<Uuid>,
        path -> Ltree,
        name -> Text,
        official_code -> Nullable<Text>,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use diesel_ltree::sql_types::Ltree;

    org_unit_population (unit_id, as_of) {
        unit_id -> Uuid,
        as_of -> Date,
        women_18_plus -> Int4,
        source -> Text,
        recorded_by -> Nullable<Uuid>,
        version -> Int4,
        recorded_at -> Timestamptz,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use diesel_ltree::sql_types::Ltree;

    org_units (id) {
        id -> Uuid,
        level -> Text,
        name -> Text,
        official_code -> Nullable<Text>,
        parent_id -> Nullable<Uuid>,
        path -> Ltree,
        valid_from -> Date,
        valid_to -> Nullable<Date>,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        sort_key -> Text,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use diesel_ltree::sql_types::Ltree;

    outbox_events (id) {
        id -> Uuid,
        event -> Text,
        unit_path -> Ltree,
        payload -> Jsonb,
        occurred_at -> Timestamptz,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use diesel_ltree::sql_types::Ltree;

    pair_checkins (id) {
        id -> Uuid,
        pair_id -> Uuid,
        checked_on -> Date,
        note -> Text,
        author_id -> Nullable<Uuid>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use diesel_ltree::sql_types::Ltree;

    pair_kinds (code) {
        code -> Text,
        name_vi -> Text,
        name_en -> Text,
        mentor_type -> Text,
        mentee_type -> Text,
        mentor_rules -> Array<Nullable<Text>>,
        mentee_rules -> Array<Nullable<Text>>,
        stages -> Array<Nullable<Text>>,
        achieved_stage -> Nullable<Text>,
        sensitive -> Bool,
        active -> Bool,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use diesel_ltree::sql_types::Ltree;

    pair_stage_events (id) {
        id -> Uuid,
        pair_id -> Uuid,
        stage -> Text,
        reached_on -> Date,
        reverted -> Bool,
        reason -> Text,
        recorded_by -> Nullable<Uuid>,
        recorded_at -> Timestamptz,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use diesel_ltree::sql_types::Ltree;

    pairs (id) {
        id -> Uuid,
        kind -> Text,
        unit_id -> Uuid,
        unit_path -> Ltree,
        mentor_path -> Ltree,
        mentor_member_id -> Nullable<Uuid>,
        mentor_prospect_id -> Nullable<Uuid>,
        mentor_unit_id -> Nullable<Uuid>,
        mentee_member_id -> Nullable<Uuid>,
        mentee_prospect_id -> Nullable<Uuid>,
        mentee_unit_id -> Nullable<Uuid>,
        started_on -> Date,
        ended_on -> Nullable<Date>,
        status -> Text,
        goal -> Text,
        stage -> Nullable<Text>,
        outcome -> Text,
        result_member_id -> Nullable<Uuid>,
        notes -> Text,
        created_by -> Nullable<Uuid>,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use diesel_ltree::sql_types::Ltree;

    pioneer_designations (id) {
        id -> Uuid,
        member_id -> Uuid,
        unit_id -> Uuid,
        unit_path -> Ltree,
        from_on -> Date,
        to_on -> Nullable<Date>,
        reason -> Text,
        end_reason -> Text,
        designated_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use diesel_ltree::sql_types::Ltree;

    positions (id) {
        id -> Uuid,
        member_id -> Uuid,
        unit_id -> Uuid,
        kind -> Text,
        appointment -> Text,
        started_on -> Date,
        ended_on -> Nullable<Date>,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use diesel_ltree::sql_types::Ltree;

    prospects (id) {
        id -> Uuid,
        family_name -> Text,
        middle_name -> Text,
        given_name -> Text,
        search_key -> Text,
        sort_key -> Text,
        birth_date -> Nullable<Date>,
        birth_year -> Nullable<Int2>,
        phone -> Nullable<Text>,
        address -> Text,
        unit_id -> Uuid,
        unit_path -> Ltree,
        assigned_member_id -> Nullable<Uuid>,
        status -> Text,
        converted_member_id -> Nullable<Uuid>,
        converted_on -> Nullable<Date>,
        notes -> Text,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use diesel_ltree::sql_types::Ltree;

    rating_scales (id) {
        id -> Uuid,
        unit_id -> Uuid,
        year -> Int4,
        levels -> Array<Nullable<Text>>,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use diesel_ltree::sql_types::Ltree;

    refresh_tokens (token_hash) {
        token_hash -> Bytea,
        session_id -> Uuid,
        created_at -> Timestamptz,
        expires_at -> Timestamptz,
        used_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use diesel_ltree::sql_types::Ltree;

    religions (code) {
        code -> Text,
        name -> Text,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use diesel_ltree::sql_types::Ltree;

    report_submissions (id) {
        id -> Uuid,
        unit_id -> Uuid,
        unit_path -> Ltree,
        period -> Text,
        period_from -> Date,
        period_to -> Date,
        status -> Text,
        figures -> Jsonb,
        frozen_at -> Timestamptz,
        adjustments -> Jsonb,
        submissions -> Int4,
        submitted_at -> Nullable<Timestamptz>,
        decided_at -> Nullable<Timestamptz>,
        decided_by -> Nullable<Uuid>,
        decision_note -> Text,
        created_by -> Nullable<Uuid>,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use diesel_ltree::sql_types::Ltree;

    role_grants (id) {
        id -> Uuid,
        user_id -> Uuid,
        role -> Text,
        org_unit_id -> Uuid,
        granted_by -> Nullable<Uuid>,
        granted_at -> Timestamptz,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use diesel_ltree::sql_types::Ltree;

    sessions (id) {
        id -> Uuid,
        user_id -> Uuid,
        created_at -> Timestamptz,
        last_refreshed_at -> Timestamptz,
        expires_at -> Timestamptz,
        revoked_at -> Nullable<Timestamptz>,
        revoked_reason -> Nullable<Text>,
        client_ip -> Nullable<Text>,
        user_agent -> Nullable<Text>,
        oauth_app_id -> Nullable<Uuid>,
        scopes -> Nullable<Array<Nullable<Text>>>,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use diesel_ltree::sql_types::Ltree;

    support_entries (id) {
        id -> Uuid,
        member_id -> Uuid,
        unit_id -> Uuid,
        unit_path -> Ltree,
        for_household -> Bool,
        kind -> Text,
        amount_vnd -> Nullable<Int8>,
        quantity -> Nullable<Int4>,
        quantity_unit -> Text,
        source -> Text,
        source_detail -> Text,
        given_on -> Date,
        need_id -> Nullable<Uuid>,
        pair_id -> Nullable<Uuid>,
        follow_up -> Text,
        outcome -> Nullable<Text>,
        outcome_on -> Nullable<Date>,
        status -> Text,
        void_reason -> Text,
        notes -> Text,
        created_by -> Nullable<Uuid>,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use diesel_ltree::sql_types::Ltree;

    support_kinds (code) {
        code -> Text,
        name_vi -> Text,
        name_en -> Text,
        measure -> Text,
        default_quantity_unit -> Text,
        is_job -> Bool,
        active -> Bool,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use diesel_ltree::sql_types::Ltree;

    support_revisions (id) {
        id -> Uuid,
        entry_id -> Uuid,
        version -> Int4,
        snapshot -> Jsonb,
        edited_by -> Nullable<Uuid>,
        edited_at -> Timestamptz,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use diesel_ltree::sql_types::Ltree;

    sync_changes (seq) {
        seq -> Int8,
        txid -> Int8,
        clock -> Nullable<Int8>,
        object_type -> Text,
        object_id -> Uuid,
        deleted -> Bool,
        old_path -> Nullable<Ltree>,
        new_path -> Nullable<Ltree>,
        changed_at -> Timestamptz,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use diesel_ltree::sql_types::Ltree;

    sync_clock (id) {
        id -> Bool,
        n -> Int8,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use diesel_ltree::sql_types::Ltree;

    sync_horizon (id) {
        id -> Bool,
        pruned_clock -> Int8,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use diesel_ltree::sql_types::Ltree;

    unit_channels (id) {
        id -> Uuid,
        unit_id -> Uuid,
        platform -> Text,
        name -> Text,
        url -> Text,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use diesel_ltree::sql_types::Ltree;

    unit_ratings (id) {
        id -> Uuid,
        unit_id -> Uuid,
        year -> Int4,
        rating -> Text,
        suggested -> Nullable<Text>,
        reason -> Text,
        rated_by -> Nullable<Uuid>,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use diesel_ltree::sql_types::Ltree;

    users (id) {
        id -> Uuid,
        username -> Text,
        display_name -> Text,
        home_unit_id -> Uuid,
        member_id -> Nullable<Uuid>,
        status -> Text,
        must_change_password -> Bool,
        password_hash -> Text,
        password_changed_at -> Timestamptz,
        token_version -> Int4,
        last_login_at -> Nullable<Timestamptz>,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use diesel_ltree::sql_types::Ltree;

    webhook_deliveries (id) {
        id -> Uuid,
        webhook_id -> Uuid,
        event_id -> Uuid,
        status -> Text,
        attempts -> Int4,
        next_attempt_at -> Timestamptz,
        last_status -> Nullable<Int4>,
        last_error -> Text,
        delivered_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use diesel_ltree::sql_types::Ltree;

    webhooks (id) {
        id -> Uuid,
        owner_user_id -> Nullable<Uuid>,
        owner_client_id -> Nullable<Uuid>,
        unit_id -> Uuid,
        unit_path -> Ltree,
        url -> Text,
        events -> Array<Nullable<Text>>,
        secret -> Text,
        status -> Text,
        status_note -> Text,
        failing_since -> Nullable<Timestamptz>,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::joinable!(activities -> activity_kinds (kind));
diesel::joinable!(activities -> members (organiser_member_id));
diesel::joinable!(activities -> org_units (unit_id));
diesel::joinable!(activities -> users (created_by));
diesel::joinable!(activity_pledges -> activities (activity_id));
diesel::joinable!(activity_pledges -> users (created_by));
diesel::joinable!(activity_presence -> activities (activity_id));
diesel::joinable!(api_tokens -> users (user_id));
diesel::joinable!(attendance -> activities (activity_id));
diesel::joinable!(attendance -> members (member_id));
diesel::joinable!(attendance -> prospects (prospect_id));
diesel::joinable!(attendance -> users (recorded_by));
diesel::joinable!(data_requests -> members (member_id));
diesel::joinable!(data_requests -> users (requested_by));
diesel::joinable!(fee_payments -> members (member_id));
diesel::joinable!(fee_payments -> org_units (unit_id));
diesel::joinable!(fee_payments -> users (recorded_by));
diesel::joinable!(fee_schedules -> org_units (unit_id));
diesel::joinable!(fund_entries -> activities (activity_id));
diesel::joinable!(fund_entries -> org_units (unit_id));
diesel::joinable!(fund_entries -> users (created_by));
diesel::joinable!(jobs -> org_units (org_unit_id));
diesel::joinable!(jobs -> users (owner_id));
diesel::joinable!(machine_clients -> org_units (org_unit_id));
diesel::joinable!(machine_clients -> users (created_by));
diesel::joinable!(member_channel_consents -> members (member_id));
diesel::joinable!(member_channel_consents -> users (recorded_by));
diesel::joinable!(member_consents -> members (member_id));
diesel::joinable!(member_consents -> users (recorded_by));
diesel::joinable!(member_contacts -> members (member_id));
diesel::joinable!(member_contacts -> users (contacted_by));
diesel::joinable!(member_erasures -> members (member_id));
diesel::joinable!(member_erasures -> users (erased_by));
diesel::joinable!(member_events -> members (member_id));
diesel::joinable!(member_events -> users (recorded_by));
diesel::joinable!(member_needs -> members (member_id));
diesel::joinable!(member_needs -> users (created_by));
diesel::joinable!(member_photos -> members (member_id));
diesel::joinable!(member_placements -> members (member_id));
diesel::joinable!(member_placements -> org_units (unit_id));
diesel::joinable!(member_profile_events -> members (member_id));
diesel::joinable!(member_profile_events -> users (recorded_by));
diesel::joinable!(member_profiles -> members (member_id));
diesel::joinable!(member_profiles -> users (verified_by));
diesel::joinable!(member_transfers -> members (member_id));
diesel::joinable!(members -> ethnicities (ethnicity_code));
diesel::joinable!(members -> org_units (unit_id));
diesel::joinable!(members -> religions (religion_code));
diesel::joinable!(oauth_apps -> org_units (org_unit_id));
diesel::joinable!(oauth_apps -> users (created_by));
diesel::joinable!(oauth_codes -> oauth_apps (app_id));
diesel::joinable!(oauth_codes -> sessions (session_id));
diesel::joinable!(oauth_codes -> users (user_id));
diesel::joinable!(oauth_consents -> oauth_apps (app_id));
diesel::joinable!(oauth_consents -> users (user_id));
diesel::joinable!(org_unit_population -> org_units (unit_id));
diesel::joinable!(org_unit_population -> users (recorded_by));
diesel::joinable!(org_units -> org_levels (level));
diesel::joinable!(pair_checkins -> pairs (pair_id));
diesel::joinable!(pair_checkins -> users (author_id));
diesel::joinable!(pair_stage_events -> pairs (pair_id));
diesel::joinable!(pair_stage_events -> users (recorded_by));
diesel::joinable!(pairs -> pair_kinds (kind));
diesel::joinable!(pairs -> users (created_by));
diesel::joinable!(pioneer_designations -> members (member_id));
diesel::joinable!(pioneer_designations -> org_units (unit_id));
diesel::joinable!(pioneer_designations -> users (designated_by));
diesel::joinable!(positions -> members (member_id));
diesel::joinable!(positions -> org_units (unit_id));
diesel::joinable!(prospects -> org_units (unit_id));
diesel::joinable!(rating_scales -> org_units (unit_id));
diesel::joinable!(refresh_tokens -> sessions (session_id));
diesel::joinable!(report_submissions -> org_units (unit_id));
diesel::joinable!(role_grants -> org_units (org_unit_id));
diesel::joinable!(sessions -> oauth_apps (oauth_app_id));
diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(support_entries -> member_needs (need_id));
diesel::joinable!(support_entries -> members (member_id));
diesel::joinable!(support_entries -> org_units (unit_id));
diesel::joinable!(support_entries -> pairs (pair_id));
diesel::joinable!(support_entries -> support_kinds (kind));
diesel::joinable!(support_entries -> users (created_by));
diesel::joinable!(support_revisions -> support_entries (entry_id));
diesel::joinable!(support_revisions -> users (edited_by));
diesel::joinable!(unit_channels -> org_units (unit_id));
diesel::joinable!(unit_ratings -> org_units (unit_id));
diesel::joinable!(unit_ratings -> users (rated_by));
diesel::joinable!(users -> members (member_id));
diesel::joinable!(users -> org_units (home_unit_id));
diesel::joinable!(webhook_deliveries -> outbox_events (event_id));
diesel::joinable!(webhook_deliveries -> webhooks (webhook_id));
diesel::joinable!(webhooks -> machine_clients (owner_client_id));
diesel::joinable!(webhooks -> org_units (unit_id));
diesel::joinable!(webhooks -> users (owner_user_id));

diesel::allow_tables_to_appear_in_same_query!(
    activities,
    activity_kinds,
    activity_pledges,
    activity_presence,
    api_tokens,
    attendance,
    audit_events,
    data_requests,
    ethnicities,
    fee_payments,
    fee_schedules,
    fund_entries,
    idempotency_keys,
    instance_settings,
    jobs,
    login_throttle,
    machine_clients,
    member_channel_consents,
    member_consents,
    member_contacts,
    member_erasures,
    member_events,
    member_name_tokens,
    member_needs,
    member_photos,
    member_placements,
    member_presence,
    member_profile_events,
    member_profiles,
    member_transfers,
    members,
    name_tokens,
    oauth_apps,
    oauth_codes,
    oauth_consents,
    org_levels,
    org_unit_links,
    org_unit_periods,
    org_unit_population,
    org_units,
    outbox_events,
    pair_checkins,
    pair_kinds,
    pair_stage_events,
    pairs,
    pioneer_designations,
    positions,
    prospects,
    rating_scales,
    refresh_tokens,
    religions,
    report_submissions,
    role_grants,
    sessions,
    support_entries,
    support_kinds,
    support_revisions,
    sync_changes,
    sync_clock,
    sync_horizon,
    unit_channels,
    unit_ratings,
    users,
    webhook_deliveries,
    webhooks,
);
