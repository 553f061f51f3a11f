-- Rate limits are decided in each process's memory; every replica adds its new hits here a few
-- times a second, in one statement, and reads back the count of all replicas (src/http/ratelimit.h).
-- One row per (bucket, client address): the window that runs (it ends at window_end, a time
-- from the replicas' clocks) and the hits of all replicas in it. The table holds counters only
-- for the last hour at most: UNLOGGED, so that syncing them writes no WAL; a crash of the
-- database (or a failover to a standby, which never has these rows) starts every address's
-- window afresh, which costs at most one window's worth of extra requests.
CREATE UNLOGGED TABLE rate_limit_windows (
  bucket     text NOT NULL,
  client     text NOT NULL,
  window_end timestamptz NOT NULL,
  hits       integer NOT NULL CHECK (hits >= 0),
  PRIMARY KEY (bucket, client)
);

-- The per-request table of 0004. Replicas of the previous version write it until a rolling
-- upgrade has replaced them (their counts and the new ones are apart meanwhile); a later
-- migration drops it.
COMMENT ON TABLE rate_limits IS
  'Unused since migration 0013 (see rate_limit_windows); kept for replicas of the previous version during a rolling upgrade.';
