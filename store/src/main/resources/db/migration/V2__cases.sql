-- Cases (案件) and their audit trail. The status set is a domain so that the case and its
-- events cannot disagree on what a status is (CONTRACTS.md §4).

CREATE DOMAIN case_status AS text CHECK (VALUE IN (
    'collected', 'filed', 'dispatched', 'in_progress', 'feedback', 'verified', 'closed',
    'rejected', 'evaluated'));
COMMENT ON DOMAIN case_status IS 'The seven stages of the case workflow plus rejected and evaluated (CONTRACTS.md §4).';

-- "case" is a reserved word in SQL, hence the prefix.
CREATE TABLE gw_case (
    case_id       text PRIMARY KEY CHECK (case_id <> ''),
    status        case_status NOT NULL,
    category_kind text NOT NULL CHECK (category_kind IN ('component', 'event')),
    category_code text NOT NULL CHECK (category_code ~ '^[0-9]{4,5}$'),
    grid_code     char(15) CHECK (grid_code ~ '^[0-9]{15}$'),
    district_code char(6)  CHECK (district_code ~ '^[0-9]{6}$'),
    street_code   char(9)  CHECK (street_code ~ '^[0-9]{9}$'),
    severity      text,
    first_seen    timestamptz NOT NULL,
    last_seen     timestamptz NOT NULL,
    occurrences   integer NOT NULL DEFAULT 1 CHECK (occurrences >= 1),
    confidence    real CHECK (confidence BETWEEN 0 AND 1),
    department    text,
    deadline      timestamptz,
    rule_id       text,
    payload       jsonb NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT gw_case_seen_order CHECK (first_seen <= last_seen)
);
-- open cases of one class in one grid are what a new detection is merged into
CREATE INDEX gw_case_grid_category_idx ON gw_case (grid_code, category_code, status);
CREATE INDEX gw_case_status_idx ON gw_case (status, last_seen);
CREATE INDEX gw_case_district_idx ON gw_case (district_code, first_seen);
CREATE INDEX gw_case_updated_idx ON gw_case (updated_at);
COMMENT ON TABLE gw_case IS
    'Cases (案件): one problem at one place; payload holds the full case JSON of CONTRACTS.md §4, the columns are what queries filter on.';

CREATE TABLE case_event (
    id          bigserial PRIMARY KEY,
    case_id     text NOT NULL REFERENCES gw_case (case_id) ON DELETE CASCADE,
    at          timestamptz NOT NULL DEFAULT now(),
    type        text NOT NULL CHECK (type IN ('new', 'update', 'end', 'status')),
    from_status case_status,
    to_status   case_status,
    actor       text,
    payload     jsonb
);
CREATE INDEX case_event_case_idx ON case_event (case_id, at);
COMMENT ON TABLE case_event IS
    'Audit trail of a case (案卷流转记录): lifecycle messages (new/update/end) and status changes with who made them.';
COMMENT ON COLUMN case_event.actor IS 'Who caused the event: a rule id, a job, or a person''s role and name.';
