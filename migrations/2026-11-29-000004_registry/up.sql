-- Time-ordered UUIDs (version 7) made in SQL, for rows written by set-based statements (the
-- application makes its own with the same layout). PostgreSQL 18 has uuidv7(); 15 does not.
CREATE FUNCTION uuid_v7() RETURNS uuid LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    bytes bytea;
BEGIN
    bytes := substring(int8send(floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint) FROM 3)
             || substring(uuid_send(gen_random_uuid()) FROM 1 FOR 10);
    bytes := set_byte(bytes, 6, (b'0111' || get_byte(bytes, 6)::bit(4))::bit(8)::int);
    bytes := set_byte(bytes, 8, (b'10' || get_byte(bytes, 8)::bit(6))::bit(8)::int);
    RETURN encode(bytes, 'hex')::uuid;
END;
$$;

-- ============================================================================================
-- History of the org tree. `org_units` holds each unit's current state (closed units hang under
-- their successor, so the successor's officers keep seeing their history); `org_unit_periods`
-- holds what the tree looked like over time, so "as of 2024-12-31" questions have answers.
-- ============================================================================================
CREATE TABLE org_unit_periods (
    unit_id       uuid NOT NULL REFERENCES org_units (id),
    valid_from    date NOT NULL,
    valid_to      date,
    parent_id     uuid REFERENCES org_units (id),
    path          ltree NOT NULL,
    name          text NOT NULL,
    official_code text,
    PRIMARY KEY (unit_id, valid_from),
    CONSTRAINT org_unit_periods_ordered CHECK (valid_to IS NULL OR valid_to > valid_from)
);
CREATE INDEX org_unit_periods_path ON org_unit_periods USING gist (path);
INSERT INTO org_unit_periods (unit_id, valid_from, valid_to, parent_id, path, name, official_code)
SELECT id, valid_from, valid_to, parent_id, path, name, official_code FROM org_units;

-- Merges and splits: which units became which, and when.
CREATE TABLE org_unit_links (
    predecessor_id uuid NOT NULL REFERENCES org_units (id),
    successor_id   uuid NOT NULL REFERENCES org_units (id),
    kind           text NOT NULL CHECK (kind IN ('merge', 'split')),
    effective_on   date NOT NULL,
    PRIMARY KEY (predecessor_id, successor_id),
    CHECK (predecessor_id <> successor_id)
);
CREATE INDEX org_unit_links_successor ON org_unit_links (successor_id);

-- Women aged 18 and over (số phụ nữ từ 18 tuổi) per unit and date: the denominator of coverage.
CREATE TABLE org_unit_population (
    unit_id       uuid NOT NULL REFERENCES org_units (id),
    as_of         date NOT NULL,
    women_18_plus integer NOT NULL CHECK (women_18_plus >= 0),
    source        text NOT NULL DEFAULT '',
    recorded_by   uuid REFERENCES users (id) ON DELETE SET NULL,
    version       integer NOT NULL DEFAULT 1,
    recorded_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (unit_id, as_of)
);

-- ============================================================================================
-- Official code lists, seeded and extensible.
-- ============================================================================================
CREATE TABLE ethnicities (
    code text PRIMARY KEY CHECK (code ~ '^[0-9]{2,3}$'),
    name text NOT NULL
);
INSERT INTO ethnicities (code, name) VALUES
('01','Kinh'),('02','Tày'),('03','Thái'),('04','Hoa'),('05','Khơ-me'),('06','Mường'),('07','Nùng'),
('08','Mông'),('09','Dao'),('10','Gia-rai'),('11','Ngái'),('12','Ê-đê'),('13','Ba-na'),('14','Xơ-đăng'),
('15','Sán Chay'),('16','Cơ-ho'),('17','Chăm'),('18','Sán Dìu'),('19','Hrê'),('20','Mnông'),('21','Ra-glai'),
('22','Xtiêng'),('23','Bru-Vân Kiều'),('24','Thổ'),('25','Giáy'),('26','Cơ-tu'),('27','Gié-Triêng'),('28','Mạ'),
('29','Khơ-mú'),('30','Co'),('31','Tà-ôi'),('32','Chơ-ro'),('33','Kháng'),('34','Xinh-mun'),('35','Hà Nhì'),
('36','Chu-ru'),('37','Lào'),('38','La Chí'),('39','La Ha'),('40','Phù Lá'),('41','La Hủ'),('42','Lự'),
('43','Lô Lô'),('44','Chứt'),('45','Mảng'),('46','Pà Thẻn'),('47','Cờ Lao'),('48','Cống'),('49','Bố Y'),
('50','Si La'),('51','Pu Péo'),('52','Brâu'),('53','Ơ Đu'),('54','Rơ-măm');

CREATE TABLE religions (
    code text PRIMARY KEY CHECK (code ~ '^[0-9]{2,3}$'),
    name text NOT NULL
);
INSERT INTO religions (code, name) VALUES
('00','Không theo tôn giáo'),('01','Phật giáo'),('02','Công giáo'),('03','Tin lành'),('04','Cao Đài'),
('05','Phật giáo Hòa Hảo'),('06','Hồi giáo'),('07','Baha''i'),('08','Tịnh độ Cư sĩ Phật hội Việt Nam'),
('09','Cơ đốc Phục lâm'),('10','Phật giáo Tứ Ân Hiếu Nghĩa'),('11','Minh Sư đạo'),('12','Minh Lý đạo'),
('13','Bà-la-môn giáo'),('14','Mặc môn'),('15','Phật giáo Hiếu Nghĩa Tà Lơn'),('16','Bửu Sơn Kỳ Hương');

-- ============================================================================================
-- Members (hội viên). Names are stored NFC with one tone-mark placement; `search_key` is the
-- folded name (no diacritics, đ→d) behind a trigram index; `sort_key` orders by given, middle,
-- family name the Vietnamese way. `unit_path` copies the unit's path so scoped lists are one
-- indexed predicate.
-- ============================================================================================
CREATE TABLE members (
    id              uuid PRIMARY KEY,
    family_name     text NOT NULL,
    middle_name     text NOT NULL DEFAULT '',
    given_name      text NOT NULL,
    search_key      text NOT NULL,
    sort_key        text COLLATE "C" NOT NULL,
    sex             text NOT NULL DEFAULT 'female' CHECK (sex IN ('female', 'male')),
    birth_date      date,
    birth_year      smallint CHECK (birth_year BETWEEN 1900 AND 2100),
    cccd            text CHECK (cccd ~ '^([0-9]{12}|[0-9]{9})$'),
    cccd_legacy     boolean NOT NULL DEFAULT false,
    phone           text CHECK (phone ~ '^\+84[0-9]{9,10}$'),
    address         text NOT NULL DEFAULT '',
    ethnicity_code  text REFERENCES ethnicities (code),
    religion_code   text REFERENCES religions (code),
    occupation      text NOT NULL DEFAULT '',
    education       text NOT NULL DEFAULT '',
    party_member    boolean NOT NULL DEFAULT false,
    party_joined_on date,
    joined_on       date NOT NULL,
    card_number     text,
    member_type     text NOT NULL DEFAULT 'regular' CHECK (member_type IN ('regular', 'honorary')),
    pioneer         boolean NOT NULL DEFAULT false,
    status          text NOT NULL DEFAULT 'active'
                    CHECK (status IN ('active', 'transferring', 'left', 'removed', 'deceased')),
    unit_id         uuid NOT NULL REFERENCES org_units (id),
    unit_path       ltree NOT NULL,
    prospect_id     uuid,
    last_contact_on date,
    version         integer NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT members_birth_consistent CHECK (birth_date IS NULL OR birth_year = extract(year FROM birth_date))
);
CREATE UNIQUE INDEX members_cccd ON members (cccd) WHERE cccd IS NOT NULL;
CREATE INDEX members_unit_path ON members USING gist (unit_path);
CREATE INDEX members_unit_sort ON members (unit_id, sort_key, id);
CREATE INDEX members_sort ON members (sort_key, id);
CREATE INDEX members_search ON members USING gin (search_key gin_trgm_ops);
CREATE INDEX members_card_number ON members (card_number) WHERE card_number IS NOT NULL;

-- Where each member belonged and when: the basis of every "as of" count. A join, a transfer in
-- or a reinstatement opens a placement; a transfer out, leaving, removal or death closes it.
CREATE TABLE member_placements (
    member_id  uuid NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    unit_id    uuid NOT NULL REFERENCES org_units (id),
    valid_from date NOT NULL,
    valid_to   date,
    PRIMARY KEY (member_id, valid_from),
    CONSTRAINT member_placements_ordered CHECK (valid_to IS NULL OR valid_to >= valid_from)
);
CREATE INDEX member_placements_unit ON member_placements (unit_id, valid_from);
CREATE UNIQUE INDEX member_placements_one_open ON member_placements (member_id) WHERE valid_to IS NULL;

-- Lifecycle events (never overwrites): the member's history.
CREATE TABLE member_events (
    id           uuid PRIMARY KEY,
    member_id    uuid NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    kind         text NOT NULL CHECK (kind IN ('join', 'transfer_out', 'transfer_in', 'leave', 'removal',
                                               'death', 'reinstatement', 'unit_change')),
    occurred_on  date NOT NULL,
    reason       text NOT NULL DEFAULT '',
    from_unit_id uuid REFERENCES org_units (id),
    to_unit_id   uuid REFERENCES org_units (id),
    transfer_id  uuid,
    recorded_by  uuid REFERENCES users (id) ON DELETE SET NULL,
    recorded_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX member_events_member ON member_events (member_id, occurred_on, id);
CREATE INDEX member_events_kind_date ON member_events (kind, occurred_on);

-- Transfers (chuyển sinh hoạt): the sending side starts, the receiving unit accepts. Pending
-- transfers are visible to both sides; the member counts in the sending unit until accepted.
CREATE TABLE member_transfers (
    id              uuid PRIMARY KEY,
    member_id       uuid NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    from_unit_id    uuid NOT NULL REFERENCES org_units (id),
    to_unit_id      uuid NOT NULL REFERENCES org_units (id),
    to_unit_path    ltree NOT NULL,
    status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'accepted', 'rejected', 'cancelled')),
    requested_on    date NOT NULL,
    decided_on      date,
    reason          text NOT NULL DEFAULT '',
    decision_reason text NOT NULL DEFAULT '',
    requested_by    uuid REFERENCES users (id) ON DELETE SET NULL,
    decided_by      uuid REFERENCES users (id) ON DELETE SET NULL,
    version         integer NOT NULL DEFAULT 1,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX member_transfers_one_pending ON member_transfers (member_id) WHERE status = 'pending';
CREATE INDEX member_transfers_to_path ON member_transfers USING gist (to_unit_path);

-- Prospects (phụ nữ chưa vào hội): women 18+ not yet members, targets of "1+1" recruit pairs.
CREATE TABLE prospects (
    id                  uuid PRIMARY KEY,
    family_name         text NOT NULL,
    middle_name         text NOT NULL DEFAULT '',
    given_name          text NOT NULL,
    search_key          text NOT NULL,
    sort_key            text COLLATE "C" NOT NULL,
    birth_date          date,
    birth_year          smallint CHECK (birth_year BETWEEN 1900 AND 2100),
    phone               text CHECK (phone ~ '^\+84[0-9]{9,10}$'),
    address             text NOT NULL DEFAULT '',
    unit_id             uuid NOT NULL REFERENCES org_units (id),
    unit_path           ltree NOT NULL,
    assigned_member_id  uuid REFERENCES members (id),
    status              text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'converted', 'dropped')),
    converted_member_id uuid REFERENCES members (id),
    converted_on        date,
    notes               text NOT NULL DEFAULT '',
    version             integer NOT NULL DEFAULT 1,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX prospects_unit_path ON prospects USING gist (unit_path);
CREATE INDEX prospects_sort ON prospects (sort_key, id);
ALTER TABLE members ADD CONSTRAINT members_prospect FOREIGN KEY (prospect_id) REFERENCES prospects (id);

-- Circumstances (biết hoàn cảnh): sensitive. One current profile per member, and every update
-- kept with its author and date.
CREATE TABLE member_profiles (
    member_id      uuid PRIMARY KEY REFERENCES members (id) ON DELETE CASCADE,
    poverty_status text NOT NULL DEFAULT 'not_poor'
                   CHECK (poverty_status IN ('not_poor', 'near_poor', 'poor', 'escaped_poverty')),
    circumstances  text[] NOT NULL DEFAULT '{}',
    notes          text NOT NULL DEFAULT '',
    verified_on    date,
    verified_by    uuid REFERENCES users (id) ON DELETE SET NULL,
    version        integer NOT NULL DEFAULT 1,
    updated_at     timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE member_profile_events (
    id             uuid PRIMARY KEY,
    member_id      uuid NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    poverty_status text NOT NULL,
    circumstances  text[] NOT NULL,
    notes          text NOT NULL,
    verified_on    date,
    recorded_by    uuid REFERENCES users (id) ON DELETE SET NULL,
    recorded_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX member_profile_events_member ON member_profile_events (member_id, recorded_at);

-- Needs (biết nhu cầu): sensitive.
CREATE TABLE member_needs (
    id          uuid PRIMARY KEY,
    member_id   uuid NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    kind        text NOT NULL CHECK (kind IN ('capital', 'job', 'vocational_training', 'health', 'housing',
                                              'legal_aid', 'education', 'other')),
    description text NOT NULL DEFAULT '',
    status      text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'in_progress', 'met')),
    verified_on date,
    met_on      date,
    created_by  uuid REFERENCES users (id) ON DELETE SET NULL,
    version     integer NOT NULL DEFAULT 1,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX member_needs_member ON member_needs (member_id);
CREATE INDEX member_needs_open ON member_needs (kind) WHERE status <> 'met';

-- Contacts and visits (biết mặt): who met her, when, how.
CREATE TABLE member_contacts (
    id           uuid PRIMARY KEY,
    member_id    uuid NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    contacted_on date NOT NULL,
    method       text NOT NULL CHECK (method IN ('home_visit', 'meeting', 'phone', 'zalo', 'other')),
    contacted_by uuid REFERENCES users (id) ON DELETE SET NULL,
    note         text NOT NULL DEFAULT '',
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX member_contacts_member ON member_contacts (member_id, contacted_on DESC);

-- An optional photo to help cadres know faces.
CREATE TABLE member_photos (
    member_id    uuid PRIMARY KEY REFERENCES members (id) ON DELETE CASCADE,
    content_type text NOT NULL CHECK (content_type IN ('image/jpeg', 'image/png')),
    bytes        bytea NOT NULL,
    digest       text NOT NULL,
    updated_at   timestamptz NOT NULL DEFAULT now()
);

-- Positions (chức danh) held by members in units over periods.
CREATE TABLE positions (
    id          uuid PRIMARY KEY,
    member_id   uuid NOT NULL REFERENCES members (id),
    unit_id     uuid NOT NULL REFERENCES org_units (id),
    kind        text NOT NULL CHECK (kind IN ('chair', 'vice_chair', 'committee_member', 'branch_head',
                                              'branch_deputy', 'group_leader', 'group_deputy')),
    appointment text NOT NULL DEFAULT 'elected' CHECK (appointment IN ('elected', 'appointed')),
    started_on  date NOT NULL,
    ended_on    date,
    version     integer NOT NULL DEFAULT 1,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CHECK (ended_on IS NULL OR ended_on >= started_on)
);
CREATE INDEX positions_unit ON positions (unit_id, started_on);
CREATE INDEX positions_member ON positions (member_id);

-- Background jobs (imports) with progress.
CREATE TABLE jobs (
    id          uuid PRIMARY KEY,
    kind        text NOT NULL,
    status      text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'succeeded', 'failed')),
    owner_id    uuid REFERENCES users (id) ON DELETE SET NULL,
    org_unit_id uuid REFERENCES org_units (id),
    progress    integer NOT NULL DEFAULT 0,
    total       integer NOT NULL DEFAULT 0,
    result      jsonb NOT NULL DEFAULT '{}',
    created_at  timestamptz NOT NULL DEFAULT now(),
    started_at  timestamptz,
    finished_at timestamptz
);
CREATE INDEX jobs_owner ON jobs (owner_id, created_at);

-- Requests of members about their own data (Law 91/2025: access, correction, deletion).
CREATE TABLE data_requests (
    id           uuid PRIMARY KEY,
    member_id    uuid NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    kind         text NOT NULL CHECK (kind IN ('export', 'deletion')),
    status       text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done', 'rejected')),
    note         text NOT NULL DEFAULT '',
    requested_by uuid REFERENCES users (id) ON DELETE SET NULL,
    requested_at timestamptz NOT NULL DEFAULT now()
);

ALTER TABLE users ADD CONSTRAINT users_member FOREIGN KEY (member_id) REFERENCES members (id) ON DELETE SET NULL;
