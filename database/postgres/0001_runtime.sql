-- 0001_runtime: tables the virtual-actor runtime needs: cluster membership and grain state.
-- Applied by WellWon.Storage.Postgres.PostgresMigrator inside one transaction. Never edit this
-- file once released: the migrator stores its checksum and refuses a changed file. Add a new
-- NNNN_name.sql instead.

-- Membership follows Orleans' table protocol. Every change to a cluster's member rows is made in
-- the same transaction as a compare-and-swap on this row's version:
--   UPDATE cluster_membership_version SET version = version + 1, updated_at = now()
--    WHERE cluster_id = @cluster_id AND version = @expected_version
-- and the transaction is rolled back when that updates no row, so two silos acting on the same
-- snapshot cannot both win.
CREATE TABLE cluster_membership_version (
    cluster_id  text        PRIMARY KEY,
    version     bigint      NOT NULL DEFAULT 0 CHECK (version >= 0),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

-- One row per silo incarnation. silo_address includes the generation ("10.0.0.5:11111@87654321"),
-- so a restarted silo on the same endpoint is a new row and its dead predecessor stays as history.
-- status uses the runtime's SiloStatus numbering (Orleans'):
--   0 None, 1 Created, 2 Joining, 3 Active, 4 ShuttingDown, 5 Stopping, 6 Dead.
-- suspect_times is a JSON array of {"silo": "<silo_address>", "at": "<timestamptz>"} votes.
CREATE TABLE cluster_members (
    cluster_id       text        NOT NULL REFERENCES cluster_membership_version (cluster_id) ON DELETE CASCADE,
    silo_address     text        NOT NULL,
    silo_name        text        NOT NULL,
    status           int         NOT NULL CHECK (status BETWEEN 0 AND 6),
    start_time       timestamptz NOT NULL,
    i_am_alive_time  timestamptz NOT NULL,
    suspect_times    jsonb       NOT NULL DEFAULT '[]'::jsonb CHECK (jsonb_typeof(suspect_times) = 'array'),
    proxy_port       int         CHECK (proxy_port BETWEEN 0 AND 65535),
    worker_id        int         CHECK (worker_id >= 0),
    PRIMARY KEY (cluster_id, silo_address)
);

-- worker_id seeds the ids a silo generates, so two silos that can still run must never share one.
-- "Live" means every status except Dead (6):
--   * Created/Joining (1, 2) are included because a silo claims its worker_id before it joins:
--     excluding them would let two starting silos claim the same id and both go on to Active.
--   * ShuttingDown/Stopping (4, 5) are included because the process still runs and may still
--     generate ids until it is gone.
--   * None (0) is included because an unknown status must be treated as possibly running.
--   * A silo that crashed without saying so keeps its worker_id (its status is still Active,
--     only its i_am_alive_time goes stale) until the cluster votes it Dead. Staleness is not
--     used here on purpose: a silo that is merely slow or partitioned may still be running, and
--     a time-based predicate cannot be part of an index anyway.
-- Only the Dead vote releases the id; a later silo may then reuse it.
CREATE UNIQUE INDEX cluster_members_live_worker_id
    ON cluster_members (cluster_id, worker_id)
    WHERE status <> 6 AND worker_id IS NOT NULL;

-- Grain state, one row per (grain, named state). version is the optimistic-concurrency etag:
-- writers update WHERE version = @expected and treat zero rows as a conflict; the first write
-- inserts version 1 and loses to a concurrent first write through the primary key.
CREATE TABLE grain_state (
    grain_type  text        NOT NULL,
    grain_key   text        NOT NULL,
    state_name  text        NOT NULL,
    payload     bytea       NOT NULL,
    version     bigint      NOT NULL CHECK (version > 0),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (grain_type, grain_key, state_name)
);
