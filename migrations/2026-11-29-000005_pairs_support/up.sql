-- "1+1" pairs (cặp "1+1") and the support ledger (sổ hỗ trợ).

-- Cadres and civil servants (cán bộ, công chức, viên chức) may be nurtured for the Party.
ALTER TABLE members ADD COLUMN civil_servant boolean NOT NULL DEFAULT false;

-- Kinds of pair are data: who may be mentor and mentee, which rules they must meet, and the
-- ordered stages. Rules are names the server knows (see api/src/pairs/rules.rs).
CREATE TABLE pair_kinds (
    code          text PRIMARY KEY CHECK (code ~ '^[a-z][a-z0-9_]{1,39}$'),
    name_vi       text NOT NULL CHECK (length(name_vi) BETWEEN 1 AND 200),
    name_en       text NOT NULL CHECK (length(name_en) BETWEEN 1 AND 200),
    mentor_type   text NOT NULL CHECK (mentor_type IN ('member', 'prospect', 'org_unit')),
    mentee_type   text NOT NULL CHECK (mentee_type IN ('member', 'prospect', 'org_unit')),
    mentor_rules  text[] NOT NULL DEFAULT '{}',
    mentee_rules  text[] NOT NULL DEFAULT '{}',
    stages        text[] NOT NULL DEFAULT '{}',
    -- Reaching this stage achieves the pair (e.g. `admitted`); NULL: achieved by closing it.
    achieved_stage text,
    -- Its rules read sensitive data (Party membership, hardship): its pairs need
    -- `members:sensitive` to be seen or made.
    sensitive     boolean NOT NULL DEFAULT false,
    active        boolean NOT NULL DEFAULT true,
    version       integer NOT NULL DEFAULT 1,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT pair_kinds_achieved_is_a_stage CHECK (achieved_stage IS NULL OR achieved_stage = ANY (stages))
);
INSERT INTO pair_kinds (code, name_vi, name_en, mentor_type, mentee_type, mentor_rules, mentee_rules, stages, achieved_stage, sensitive) VALUES
('recruit', 'Vận động vào hội', 'Recruit a woman into the union', 'member', 'prospect', '{active_member}', '{}', '{}', NULL, false),
('party_nurture', 'Bồi dưỡng giới thiệu đảng viên', 'Nurture for Party admission', 'member', 'member',
 '{active_member,party_member}', '{active_member,nurture_candidate}', '{nurturing,introduced,admitted}', 'admitted', true),
('sponsor', 'Cặp đỡ đầu', 'Sponsor a member in hardship', 'member', 'member', '{active_member}', '{active_member,hardship}', '{}', NULL, true),
('branch_twin', 'Chi hội mạnh giúp chi hội yếu', 'Strong branch helps a weak one', 'org_unit', 'org_unit', '{branch}', '{branch}', '{}', NULL, false),
('knowledge_share', 'Hội viên là công chức giúp một chi hội', 'A civil-servant member coaches a branch', 'member', 'org_unit',
 '{active_member,civil_servant}', '{branch}', '{}', NULL, false);

CREATE TABLE pairs (
    id                 uuid PRIMARY KEY,
    kind               text NOT NULL REFERENCES pair_kinds (code),
    -- The mentee's unit owns the pair (its scope decides who manages it); the mentor's unit
    -- path lets the other side see it too.
    unit_id            uuid NOT NULL REFERENCES org_units (id),
    unit_path          ltree NOT NULL,
    mentor_path        ltree NOT NULL,
    mentor_member_id   uuid REFERENCES members (id),
    mentor_prospect_id uuid REFERENCES prospects (id),
    mentor_unit_id     uuid REFERENCES org_units (id),
    mentee_member_id   uuid REFERENCES members (id),
    mentee_prospect_id uuid REFERENCES prospects (id),
    mentee_unit_id     uuid REFERENCES org_units (id),
    started_on         date NOT NULL,
    ended_on           date,
    status             text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'achieved', 'ended')),
    goal               text NOT NULL DEFAULT '',
    stage              text,
    outcome            text NOT NULL DEFAULT '',
    -- A recruit's new membership.
    result_member_id   uuid REFERENCES members (id),
    notes              text NOT NULL DEFAULT '',
    created_by         uuid REFERENCES users (id) ON DELETE SET NULL,
    version            integer NOT NULL DEFAULT 1,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT pairs_one_mentor CHECK (num_nonnulls(mentor_member_id, mentor_prospect_id, mentor_unit_id) = 1),
    CONSTRAINT pairs_one_mentee CHECK (num_nonnulls(mentee_member_id, mentee_prospect_id, mentee_unit_id) = 1),
    CONSTRAINT pairs_dates CHECK (ended_on IS NULL OR ended_on >= started_on),
    CONSTRAINT pairs_closed_dated CHECK ((status = 'active') = (ended_on IS NULL))
);
-- One active pair of a kind per mentee.
CREATE UNIQUE INDEX pairs_one_active_per_mentee
    ON pairs (kind, coalesce(mentee_member_id, mentee_prospect_id, mentee_unit_id)) WHERE status = 'active';
CREATE INDEX pairs_unit_path ON pairs USING gist (unit_path);
CREATE INDEX pairs_mentor_path ON pairs USING gist (mentor_path);
CREATE INDEX pairs_mentor_member ON pairs (mentor_member_id) WHERE mentor_member_id IS NOT NULL;
CREATE INDEX pairs_mentee_member ON pairs (mentee_member_id) WHERE mentee_member_id IS NOT NULL;
CREATE INDEX pairs_mentee_prospect ON pairs (mentee_prospect_id) WHERE mentee_prospect_id IS NOT NULL;
CREATE INDEX pairs_kind_status ON pairs (kind, status, started_on);

-- Every stage a pair reached, with its date; a reversal is a row too, with its reason.
CREATE TABLE pair_stage_events (
    id          uuid PRIMARY KEY,
    pair_id     uuid NOT NULL REFERENCES pairs (id) ON DELETE CASCADE,
    stage       text NOT NULL,
    reached_on  date NOT NULL,
    reverted    boolean NOT NULL DEFAULT false,
    reason      text NOT NULL DEFAULT '',
    recorded_by uuid REFERENCES users (id) ON DELETE SET NULL,
    recorded_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX pair_stage_events_pair ON pair_stage_events (pair_id, recorded_at);
CREATE INDEX pair_stage_events_stage ON pair_stage_events (stage, reached_on) WHERE NOT reverted;

-- Dated check-ins with their author.
CREATE TABLE pair_checkins (
    id         uuid PRIMARY KEY,
    pair_id    uuid NOT NULL REFERENCES pairs (id) ON DELETE CASCADE,
    checked_on date NOT NULL,
    note       text NOT NULL CHECK (length(note) BETWEEN 1 AND 2000),
    author_id  uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX pair_checkins_pair ON pair_checkins (pair_id, checked_on DESC, id DESC);

-- Kinds of support are data too.
CREATE TABLE support_kinds (
    code       text PRIMARY KEY CHECK (code ~ '^[a-z][a-z0-9_]{1,39}$'),
    name_vi    text NOT NULL CHECK (length(name_vi) BETWEEN 1 AND 200),
    name_en    text NOT NULL CHECK (length(name_en) BETWEEN 1 AND 200),
    -- Whether the kind is counted in money (VND), in kind (quantity + unit), or either.
    measure    text NOT NULL CHECK (measure IN ('money', 'in_kind', 'either')),
    default_quantity_unit text NOT NULL DEFAULT '',
    -- Counts as a job found (reports: "jobs created").
    is_job     boolean NOT NULL DEFAULT false,
    active     boolean NOT NULL DEFAULT true,
    version    integer NOT NULL DEFAULT 1,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO support_kinds (code, name_vi, name_en, measure, default_quantity_unit, is_job) VALUES
('capital_loan', 'Vay vốn', 'Capital loan', 'money', '', false),
('grant', 'Hỗ trợ tiền', 'Cash grant', 'money', '', false),
('job', 'Giới thiệu việc làm', 'Job found', 'either', 'việc làm', true),
('vocational_training', 'Dạy nghề', 'Vocational training', 'either', 'khóa', false),
('livelihood_goods', 'Hỗ trợ sinh kế (con giống, cây giống…)', 'Livelihood goods (livestock, seedlings…)', 'either', 'con', false),
('charity_house_new', 'Xây mới mái ấm tình thương', 'Charity house, new', 'money', '', false),
('charity_house_repair', 'Sửa chữa mái ấm tình thương', 'Charity house, repair', 'money', '', false),
('health_insurance', 'Thẻ bảo hiểm y tế', 'Health insurance card', 'either', 'thẻ', false),
('rice', 'Gạo', 'Rice', 'in_kind', 'kg', false),
('scholarship', 'Học bổng', 'Scholarship', 'money', '', false),
('labour_days', 'Ngày công lao động', 'Labour days', 'in_kind', 'ngày công', false);

-- Support given to a member or her household. Edits are versioned (support_revisions keeps
-- every earlier state); voiding keeps the row.
CREATE TABLE support_entries (
    id            uuid PRIMARY KEY,
    member_id     uuid NOT NULL REFERENCES members (id),
    -- Her unit when the support was given: reports count it there.
    unit_id       uuid NOT NULL REFERENCES org_units (id),
    unit_path     ltree NOT NULL,
    for_household boolean NOT NULL DEFAULT true,
    kind          text NOT NULL REFERENCES support_kinds (code),
    amount_vnd    bigint CHECK (amount_vnd BETWEEN 0 AND 100000000000),
    -- In-kind quantity in whole units of `quantity_unit` (kg, con, ngày công…).
    quantity      integer CHECK (quantity > 0),
    quantity_unit text NOT NULL DEFAULT '',
    source        text NOT NULL CHECK (source IN ('union_fund', 'sponsor_pair', 'donor', 'social_policy_bank', 'other')),
    source_detail text NOT NULL DEFAULT '',
    given_on      date NOT NULL,
    need_id       uuid REFERENCES member_needs (id),
    pair_id       uuid REFERENCES pairs (id),
    follow_up     text NOT NULL DEFAULT '',
    outcome       text CHECK (outcome IN ('out_of_poverty', 'stable_job', 'business_started', 'repaid',
                                          'in_progress', 'no_change', 'other')),
    outcome_on    date,
    status        text NOT NULL DEFAULT 'recorded' CHECK (status IN ('recorded', 'voided')),
    void_reason   text NOT NULL DEFAULT '',
    notes         text NOT NULL DEFAULT '',
    created_by    uuid REFERENCES users (id) ON DELETE SET NULL,
    version       integer NOT NULL DEFAULT 1,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT support_measured CHECK (amount_vnd IS NOT NULL OR quantity IS NOT NULL),
    CONSTRAINT support_outcome_dated CHECK ((outcome IS NULL) = (outcome_on IS NULL))
);
CREATE INDEX support_entries_unit_path ON support_entries USING gist (unit_path);
CREATE INDEX support_entries_member ON support_entries (member_id, given_on DESC, id DESC);
CREATE INDEX support_entries_given ON support_entries (given_on, id);
CREATE INDEX support_entries_pair ON support_entries (pair_id) WHERE pair_id IS NOT NULL;

CREATE TABLE support_revisions (
    id         uuid PRIMARY KEY,
    entry_id   uuid NOT NULL REFERENCES support_entries (id) ON DELETE CASCADE,
    version    integer NOT NULL,
    snapshot   jsonb NOT NULL,
    edited_by  uuid REFERENCES users (id) ON DELETE SET NULL,
    edited_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX support_revisions_entry ON support_revisions (entry_id, version DESC);
