-- Case numbers that are unique forever (issue 11, finding 2). The cases job kept each district's daily counter
-- in its own state only: a job started without that state numbered from 000001 again and its writes replaced
-- other problems' cases. Numbers are now handed out here, once per opening detection, so that a replay of the
-- same detection (a job restored from a checkpoint) gets its number back and anything new gets a fresh one.

-- The last number handed out per district and day (Asia/Shanghai), advanced atomically by
-- INSERT … ON CONFLICT DO UPDATE … RETURNING (CaseNumberStore).
CREATE TABLE case_counter (
    district_code char(6) NOT NULL CHECK (district_code ~ '^[0-9]{6}$'),
    day           date    NOT NULL,
    last_seq      integer NOT NULL CHECK (last_seq BETWEEN 1 AND 999999),
    PRIMARY KEY (district_code, day)
);
COMMENT ON TABLE case_counter IS
    'The last case sequence number handed out per district and day (GW-<district>-<yyyyMMdd>-<seq>, CONTRACTS.md §4).';

-- Every number ever handed out, keyed by the detection that opened the case.
CREATE TABLE case_number (
    opening_detection text PRIMARY KEY CHECK (opening_detection <> ''),
    problem_key       text NOT NULL,
    district_code     char(6) NOT NULL,
    day               date    NOT NULL,
    seq               integer NOT NULL CHECK (seq BETWEEN 1 AND 999999),
    case_id           text    NOT NULL UNIQUE,
    allocated_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (district_code, day, seq)
);
COMMENT ON TABLE case_number IS
    'Case ids handed out, one per opening detection (Detection.detectionId): a replayed detection gets its id back, never another problem''s.';

-- Cases numbered before this version: the counters continue after the highest number in use.
INSERT INTO case_counter (district_code, day, last_seq)
SELECT substr(case_id, 4, 6), to_date(substr(case_id, 11, 8), 'YYYYMMDD'), max(substr(case_id, 20, 6)::integer)
FROM gw_case
WHERE case_id ~ '^GW-[0-9]{6}-[0-9]{8}-[0-9]{6}$' AND substr(case_id, 20, 6)::integer > 0
GROUP BY 1, 2;

-- Which problem (Detection.problemKey) a case is: a write for another problem under the same case id is refused.
-- NULL for cases written before this version and by writers that do not know it.
ALTER TABLE gw_case ADD COLUMN problem_key text;
COMMENT ON COLUMN gw_case.problem_key IS
    'The problem this case is (Detection.problemKey, e.g. sensor:wl-0031:water_level); CaseStore refuses a write for another.';
