-- Privacy rights (Law 91/2025/QH15 on personal data protection): the legal basis and consent
-- recorded per member and purpose, and the record of each erasure (anonymization).

-- Append-only: a decision is never edited; a later row for the same purpose supersedes it.
CREATE TABLE member_consents (
    id          uuid PRIMARY KEY,
    member_id   uuid NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    purpose     text NOT NULL CHECK (purpose IN ('membership_registry', 'circumstances_and_needs',
                                                 'support_programs', 'photo', 'contact_by_phone',
                                                 'share_with_partners')),
    legal_basis text NOT NULL CHECK (legal_basis IN ('consent', 'legal_obligation', 'public_task',
                                                     'contract', 'vital_interest')),
    granted     boolean NOT NULL,
    decided_on  date NOT NULL,
    evidence    text NOT NULL DEFAULT '' CHECK (length(evidence) <= 500),
    recorded_by uuid REFERENCES users (id) ON DELETE SET NULL,
    recorded_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX member_consents_member ON member_consents (member_id, purpose, recorded_at DESC);

-- One row per anonymized member: on request or when her retention period ran out.
CREATE TABLE member_erasures (
    member_id  uuid PRIMARY KEY REFERENCES members (id) ON DELETE CASCADE,
    basis      text NOT NULL CHECK (basis IN ('request', 'retention')),
    reason     text NOT NULL CHECK (length(reason) BETWEEN 1 AND 500),
    erased_by  uuid REFERENCES users (id) ON DELETE SET NULL,
    erased_at  timestamptz NOT NULL DEFAULT now()
);
