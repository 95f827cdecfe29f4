// @generated automatically by Diesel CLI.

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

diesel::joinable!(api_tokens -> users (user_id));
diesel::joinable!(machine_clients -> org_units (org_unit_id));
diesel::joinable!(machine_clients -> users (created_by));
diesel::joinable!(org_units -> org_levels (level));
diesel::joinable!(refresh_tokens -> sessions (session_id));
diesel::joinable!(role_grants -> org_units (org_unit_id));
diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(users -> org_units (home_unit_id));

diesel::allow_tables_to_appear_in_same_query!(
    api_tokens,
    audit_events,
    idempotency_keys,
    instance_settings,
    login_throttle,
    machine_clients,
    org_levels,
    org_units,
    refresh_tokens,
    role_grants,
    sessions,
    users,
);
