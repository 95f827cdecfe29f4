-- Reports: yearly ratings of units on configurable scales, and reports submitted upward with
-- frozen figures.

-- A rating scale (thang xếp loại) set by a unit (usually the province, or the root) for a year:
-- levels ordered from best to worst.
CREATE TABLE rating_scales (
    id         uuid PRIMARY KEY,
    unit_id    uuid NOT NULL REFERENCES org_units (id),
    year       integer NOT NULL CHECK (year BETWEEN 2000 AND 2100),
    levels     text[] NOT NULL CHECK (cardinality(levels) BETWEEN 2 AND 10),
    version    integer NOT NULL DEFAULT 1,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (unit_id, year)
);
INSERT INTO rating_scales (id, unit_id, year, levels)
SELECT uuid_v7(), id, y, '{xuat_sac,vung_manh,kha,trung_binh,yeu}'
FROM org_units, generate_series(2024, 2030) y WHERE parent_id IS NULL;

CREATE TABLE unit_ratings (
    id         uuid PRIMARY KEY,
    unit_id    uuid NOT NULL REFERENCES org_units (id),
    year       integer NOT NULL CHECK (year BETWEEN 2000 AND 2100),
    rating     text NOT NULL,
    suggested  text,
    reason     text NOT NULL DEFAULT '',
    rated_by   uuid REFERENCES users (id) ON DELETE SET NULL,
    version    integer NOT NULL DEFAULT 1,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (unit_id, year)
);

-- A report sent upward (báo cáo): figures frozen when created and when (re)submitted.
CREATE TABLE report_submissions (
    id            uuid PRIMARY KEY,
    unit_id       uuid NOT NULL REFERENCES org_units (id),
    unit_path     ltree NOT NULL,
    period        text NOT NULL,
    period_from   date NOT NULL,
    period_to     date NOT NULL,
    status        text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'submitted', 'accepted', 'returned')),
    figures       jsonb NOT NULL,
    frozen_at     timestamptz NOT NULL,
    -- Manual adjustments: [{figure, value, reason, by, at}], each audited.
    adjustments   jsonb NOT NULL DEFAULT '[]',
    submissions   integer NOT NULL DEFAULT 0,
    submitted_at  timestamptz,
    decided_at    timestamptz,
    decided_by    uuid REFERENCES users (id) ON DELETE SET NULL,
    decision_note text NOT NULL DEFAULT '',
    created_by    uuid REFERENCES users (id) ON DELETE SET NULL,
    version       integer NOT NULL DEFAULT 1,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);
-- One report per unit and period.
CREATE UNIQUE INDEX report_submissions_unit_period ON report_submissions (unit_id, period);
CREATE INDEX report_submissions_path ON report_submissions USING gist (unit_path);
CREATE INDEX report_submissions_updated ON report_submissions (updated_at, id);
