-- Which transaction last wrote each registry row, so that readers of the registry (ingest) can ask for exactly the
-- rows of transactions they have not seen yet (SensorStore.changesFrom). Timestamps cannot do that: a row carries the
-- start time of its transaction, which may commit later than rows stamped after it, so a timestamp reader has to
-- re-read a safety margin on every poll (100,000 rows every 10 s per ingest instance after a large import).
-- xid8 (PostgreSQL 13+) is the 64-bit transaction id: it does not wrap around and can be compared.
ALTER TABLE sensor ADD COLUMN change_xid xid8 NOT NULL DEFAULT pg_current_xact_id();
CREATE INDEX sensor_change_xid ON sensor (change_xid);
COMMENT ON COLUMN sensor.change_xid IS
    'pg_current_xact_id() of the transaction that inserted or last changed the row; see SensorStore.changesFrom.';
