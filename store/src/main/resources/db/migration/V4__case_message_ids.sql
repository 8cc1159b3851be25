-- Idempotent audit rows for the case lifecycle messages (CONTRACTS.md §4): a message written twice
-- (a replay after a crash) must not appear twice in a case's trail.

ALTER TABLE case_event ADD COLUMN message_id text;
-- NULLs are distinct: rows written by people (status changes) need no message id
CREATE UNIQUE INDEX case_event_message_uq ON case_event (case_id, message_id);
COMMENT ON COLUMN case_event.message_id IS
    'For lifecycle messages: <case_id>/<type>/<occurrences> (CaseMessage.messageId), unique per case so that replays add nothing.';
