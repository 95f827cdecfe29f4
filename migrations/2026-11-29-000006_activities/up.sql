-- "3 có": activities and attendance, the branch fund, membership fees, social-network
-- channels, and pioneers.

CREATE TABLE activity_kinds (
    code       text PRIMARY KEY CHECK (code ~ '^[a-z][a-z0-9_]{1,39}$'),
    name_vi    text NOT NULL CHECK (length(name_vi) BETWEEN 1 AND 200),
    name_en    text NOT NULL CHECK (length(name_en) BETWEEN 1 AND 200),
    -- Counts as a union meeting (sinh hoạt): meeting attendance and absentee lists use these.
    is_meeting boolean NOT NULL DEFAULT false,
    online     boolean NOT NULL DEFAULT false,
    active     boolean NOT NULL DEFAULT true,
    version    integer NOT NULL DEFAULT 1,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO activity_kinds (code, name_vi, name_en, is_meeting, online) VALUES
('monthly_meeting', 'Sinh hoạt định kỳ hằng tháng', 'Monthly meeting', true, false),
('thematic_meeting', 'Sinh hoạt chuyên đề', 'Thematic meeting', true, false),
('vocational_class', 'Lớp dạy nghề', 'Vocational class', false, false),
('communication', 'Tuyên truyền', 'Communication session', false, false),
('online_session', 'Sinh hoạt trực tuyến (Zalo)', 'Online session (Zalo)', true, true),
('charity', 'Hoạt động từ thiện', 'Charity', false, false),
('economic', 'Hoạt động phát triển kinh tế', 'Economic activity', false, false);

CREATE TABLE activities (
    id                 uuid PRIMARY KEY,
    unit_id            uuid NOT NULL REFERENCES org_units (id),
    unit_path          ltree NOT NULL,
    kind               text NOT NULL REFERENCES activity_kinds (code),
    starts_at          timestamptz NOT NULL,
    -- Its day in Vietnam (UTC+7): months and periods are counted by it.
    held_on            date NOT NULL,
    ends_at            timestamptz,
    title              text NOT NULL CHECK (length(title) BETWEEN 1 AND 300),
    topic              text NOT NULL DEFAULT '',
    location           text NOT NULL DEFAULT '',
    organiser_member_id uuid REFERENCES members (id),
    -- Expected participants; by default the unit's active regular members on that day.
    expected           integer NOT NULL CHECK (expected >= 0),
    notes              text NOT NULL DEFAULT '',
    status             text NOT NULL DEFAULT 'held' CHECK (status IN ('planned', 'held', 'cancelled')),
    attendance_recorded_at timestamptz,
    created_by         uuid REFERENCES users (id) ON DELETE SET NULL,
    version            integer NOT NULL DEFAULT 1,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT activities_ordered CHECK (ends_at IS NULL OR ends_at >= starts_at)
);
CREATE INDEX activities_unit_path ON activities USING gist (unit_path);
CREATE INDEX activities_unit_day ON activities (unit_id, held_on DESC);
CREATE INDEX activities_day ON activities (held_on, id);

-- One row per attendee (a member, or a guest prospect).
CREATE TABLE attendance (
    id          uuid PRIMARY KEY,
    activity_id uuid NOT NULL REFERENCES activities (id) ON DELETE CASCADE,
    member_id   uuid REFERENCES members (id),
    prospect_id uuid REFERENCES prospects (id),
    status      text NOT NULL CHECK (status IN ('present', 'excused', 'absent')),
    note        text NOT NULL DEFAULT '',
    recorded_by uuid REFERENCES users (id) ON DELETE SET NULL,
    recorded_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT attendance_one_person CHECK (num_nonnulls(member_id, prospect_id) = 1)
);
CREATE UNIQUE INDEX attendance_member ON attendance (activity_id, member_id) WHERE member_id IS NOT NULL;
CREATE UNIQUE INDEX attendance_prospect ON attendance (activity_id, prospect_id) WHERE prospect_id IS NOT NULL;
CREATE INDEX attendance_by_member ON attendance (member_id, activity_id) WHERE member_id IS NOT NULL;

-- In-kind resources pledged for an activity (venue, food, materials…).
CREATE TABLE activity_pledges (
    id          uuid PRIMARY KEY,
    activity_id uuid NOT NULL REFERENCES activities (id) ON DELETE CASCADE,
    description text NOT NULL CHECK (length(description) BETWEEN 1 AND 300),
    pledged_by  text NOT NULL DEFAULT '',
    value_vnd   bigint CHECK (value_vnd >= 0),
    created_by  uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX activity_pledges_activity ON activity_pledges (activity_id);

-- The fund of a unit (quỹ chi hội): income and spending in integer VND.
CREATE TABLE fund_entries (
    id           uuid PRIMARY KEY,
    unit_id      uuid NOT NULL REFERENCES org_units (id),
    direction    text NOT NULL CHECK (direction IN ('income', 'spending')),
    category     text NOT NULL CHECK (category IN ('fees', 'donation', 'sponsorship', 'budget', 'other_income',
                                                   'activity', 'support', 'other_spending')),
    amount_vnd   bigint NOT NULL CHECK (amount_vnd > 0 AND amount_vnd <= 100000000000),
    entry_on     date NOT NULL,
    activity_id  uuid REFERENCES activities (id),
    description  text NOT NULL DEFAULT '',
    status       text NOT NULL DEFAULT 'recorded' CHECK (status IN ('recorded', 'voided')),
    void_reason  text NOT NULL DEFAULT '',
    created_by   uuid REFERENCES users (id) ON DELETE SET NULL,
    version      integer NOT NULL DEFAULT 1,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT fund_category_direction CHECK (
        (direction = 'income' AND category IN ('fees', 'donation', 'sponsorship', 'budget', 'other_income'))
        OR (direction = 'spending' AND category IN ('activity', 'support', 'other_spending')))
);
CREATE INDEX fund_entries_unit_day ON fund_entries (unit_id, entry_on, id);

-- Membership fees: the schedule of the nearest unit (usually the province) with one for the
-- year applies; payments per member and period.
CREATE TABLE fee_schedules (
    id         uuid PRIMARY KEY,
    unit_id    uuid NOT NULL REFERENCES org_units (id),
    year       integer NOT NULL CHECK (year BETWEEN 2000 AND 2100),
    period     text NOT NULL CHECK (period IN ('month', 'quarter', 'year')),
    amount_vnd bigint NOT NULL CHECK (amount_vnd >= 0 AND amount_vnd <= 100000000),
    notes      text NOT NULL DEFAULT '',
    version    integer NOT NULL DEFAULT 1,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (unit_id, year)
);

CREATE TABLE fee_payments (
    id          uuid PRIMARY KEY,
    member_id   uuid NOT NULL REFERENCES members (id),
    unit_id     uuid NOT NULL REFERENCES org_units (id),
    unit_path   ltree NOT NULL,
    year        integer NOT NULL CHECK (year BETWEEN 2000 AND 2100),
    -- 1–12 for monthly fees, 1–4 quarterly, 1 yearly.
    period_no   integer NOT NULL CHECK (period_no BETWEEN 1 AND 12),
    amount_vnd  bigint NOT NULL CHECK (amount_vnd >= 0),
    paid_on     date NOT NULL,
    recorded_by uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (member_id, year, period_no)
);
CREATE INDEX fee_payments_unit ON fee_payments USING gist (unit_path);

-- A unit's social-network groups (Zalo…), and members' consent to be contacted there.
CREATE TABLE unit_channels (
    id         uuid PRIMARY KEY,
    unit_id    uuid NOT NULL REFERENCES org_units (id),
    platform   text NOT NULL CHECK (platform IN ('zalo', 'facebook', 'other')),
    name       text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    url        text NOT NULL CHECK (url ~ '^https://' AND length(url) <= 500),
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX unit_channels_unit ON unit_channels (unit_id);

CREATE TABLE member_channel_consents (
    member_id  uuid NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    platform   text NOT NULL CHECK (platform IN ('zalo', 'facebook', 'other')),
    consented  boolean NOT NULL,
    decided_on date NOT NULL,
    recorded_by uuid REFERENCES users (id) ON DELETE SET NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (member_id, platform)
);

-- Pioneer designations (hội viên tiên phong), dated, with the reason.
CREATE TABLE pioneer_designations (
    id          uuid PRIMARY KEY,
    member_id   uuid NOT NULL REFERENCES members (id),
    unit_id     uuid NOT NULL REFERENCES org_units (id),
    unit_path   ltree NOT NULL,
    from_on     date NOT NULL,
    to_on       date,
    reason      text NOT NULL CHECK (length(reason) BETWEEN 1 AND 500),
    end_reason  text NOT NULL DEFAULT '',
    designated_by uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT pioneer_dates CHECK (to_on IS NULL OR to_on > from_on)
);
CREATE UNIQUE INDEX pioneer_one_open ON pioneer_designations (member_id) WHERE to_on IS NULL;
CREATE INDEX pioneer_unit_path ON pioneer_designations USING gist (unit_path);
