"""Replicas starting together: concurrent `migrate` runs serialise on the advisory lock."""

import subprocess

import kr_helpers as H


def test_concurrent_migrations_apply_each_migration_once(pg, scratch_db):
    db = scratch_db()
    env = H.server_env(pg, H.free_port(), db=db)
    procs = [subprocess.Popen([str(H.SERVER_BIN), "migrate"], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(4)]
    outputs = [p.communicate(timeout=120) for p in procs]
    for p, (out, err) in zip(procs, outputs):
        assert p.returncode == 0, f"a concurrent migrate failed: {out[-800:]} {err[-800:]}"
        assert H.sanitizer_report(err) is None, err
    applied = sum(out.count('"applied migration') for out, _ in outputs)
    recorded = pg.psql("select count(*) from schema_migrations", db=db)[0][0]
    assert applied == int(recorded) > 0, "each migration must be applied by exactly one process"
    assert pg.psql("select count(distinct version) = count(*) from schema_migrations", db=db) == [("t",)]
