"""The bootstrap admin: created at start-up only while no admin exists."""

import kr_helpers as H


def test_first_start_creates_the_admin_and_later_starts_leave_it(spawn_server, run_binary, scratch_db, pg):
    db = scratch_db()
    srv, client = spawn_server({"BOOTSTRAP_ADMIN_USERNAME": "first.admin"}, db=db)
    r = client.post("/v1/auth/token", json={"grant_type": "password", "username": "first.admin",
                                            "password": H.ADMIN_PASSWORD})
    assert r.status_code == 200, r.content
    assert pg.psql("select count(*) from accounts where role = 'admin'", db=db) == [("1",)]
    # A second start with other bootstrap settings changes nothing: an admin exists.
    srv2, client2 = spawn_server({"BOOTSTRAP_ADMIN_USERNAME": "second.admin"}, db=db)
    assert pg.psql("select username from accounts where role = 'admin'", db=db) == [("first.admin",)]
    assert '"created the bootstrap admin"' not in srv2.stdout_text()


def test_bootstrap_name_taken_by_a_non_admin_stops_start_up(run_binary, scratch_db, pg):
    db = scratch_db()
    assert run_binary(["migrate"], db=db, timeout=60).returncode == 0
    pg.psql("insert into accounts (username, password_hash, role, municipality_code) "
            "values ('taken.name', 'x', 'municipality', 'GM0363')", db=db)
    r = run_binary(["serve"], env_overrides={"BOOTSTRAP_ADMIN_USERNAME": "taken.name"}, db=db, timeout=30)
    assert not r.timed_out and r.returncode != 0
    assert "BOOTSTRAP_ADMIN_USERNAME" in r.stderr and "taken.name" in r.stderr
