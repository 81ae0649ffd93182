-- 0002_membership_etag_and_status: what PostgresMembershipTable needs on top of 0001.
-- Never edit this file once released (the migrator checksums it); add NNNN_name.sql instead.
--
-- 1. Status numbering. 0001 assumed Orleans' SiloStatus numbers (Dead = 6), but the runtime's
--    enum (src/Runtime/Membership/SiloStatus.cs) is
--      0 None, 1 Joining, 2 Active, 3 ShuttingDown, 4 Dead,
--    and the table stores exactly those numbers. With 0001's predicate (status <> 6) a Dead
--    silo (4) would have kept its worker_id forever. The partial unique index and the CHECK are
--    rebuilt for the runtime's numbers. The rule itself is unchanged: every status except Dead
--    (None included, as possibly running) holds the worker_id; only the Dead vote releases it.
--
-- 2. Row etag. UpdateRowAsync is a compare-and-swap on the table version AND on the row's
--    etag; heartbeats (i_am_alive_time) change neither. etag starts at 1 and every successful
--    update sets etag = etag + 1 in the same transaction that bumps the table version.

-- No adapter wrote cluster_members before this migration. Rows written by hand with 0001's
-- numbering cannot be renumbered safely (2 means Joining there and Active here), so refuse
-- instead of silently changing what they mean. Membership rows are rebuilt as silos start:
-- stop the cluster and delete them, then migrate.
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM cluster_members) THEN
        RAISE EXCEPTION 'cluster_members is not empty; 0002 renumbers status. Stop the cluster, DELETE FROM cluster_members, then migrate again.';
    END IF;
END
$$;

ALTER TABLE cluster_members DROP CONSTRAINT cluster_members_status_check;
ALTER TABLE cluster_members ADD CONSTRAINT cluster_members_status_check CHECK (status BETWEEN 0 AND 4);

DROP INDEX cluster_members_live_worker_id;
CREATE UNIQUE INDEX cluster_members_live_worker_id
    ON cluster_members (cluster_id, worker_id)
    WHERE status <> 4 AND worker_id IS NOT NULL;

ALTER TABLE cluster_members ADD COLUMN etag bigint NOT NULL DEFAULT 1 CHECK (etag > 0);

COMMENT ON COLUMN cluster_members.status IS
    'WellWon.Runtime.Membership.SiloStatus: 0 None, 1 Joining, 2 Active, 3 ShuttingDown, 4 Dead. Every status but Dead holds worker_id.';
COMMENT ON COLUMN cluster_members.etag IS
    'Row version for compare-and-swap updates; +1 on every membership update, untouched by heartbeats.';
COMMENT ON COLUMN cluster_members.suspect_times IS
    'Suspicion votes: JSON array of {"silo": "<host:port@generation>", "at": "<ISO 8601 UTC>"}.';
