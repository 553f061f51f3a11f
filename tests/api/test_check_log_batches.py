"""The check log is written in batches after the answer (src/municipal/check_log.h, README "The
check log"): rows reach the table without anyone reading the log, a check is answered while the
log table cannot be written, SIGTERM writes what is queued, and a replica whose queue is full
refuses the check it cannot log (503) instead of answering it unlogged."""

import subprocess
import time

import pytest

import kr_helpers as H
import label_helpers as L
import municipal_helpers as M

CHECKS = M.CHECKS


@pytest.fixture
def lb(client, kr):
    return L.Label(client, kr)


def rows_of(sql, gm):
    """[(kvk_numbers, certified, asked_at epoch seconds)] of one municipality, in id order."""
    return [(n, c, float(t)) for n, c, t in sql(
        "select kvk_numbers::text, certified::text, extract(epoch from asked_at) from certification_check_log"
        f" where municipality_code = '{gm}' order by first_id")]


def wait_for_rows(sql, gm, count, seconds=5.0):
    deadline = time.monotonic() + seconds
    while True:
        rows = rows_of(sql, gm)
        if len(rows) >= count or time.monotonic() > deadline:
            return rows
        time.sleep(0.05)


def single(c, token, kvk, expect=200):
    r = c.get(CHECKS, token=token, params={"kvkNumber": kvk})
    assert r.status_code == expect, f"check {kvk}: {r.status_code} {r.content[:400]!r}"
    return r


def literal(numbers):
    return "{" + ",".join(numbers) + "}"


class TableLock:
    """Holds LOCK TABLE certification_check_log IN EXCLUSIVE MODE (inserts wait, reads go on) in a
    psql session of its own until release()."""

    def __init__(self, pg):
        self.proc = subprocess.Popen(
            [str(H.PG_BIN / "psql"), "-X", "-q", "-At", "-d", pg.url()], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.proc.stdin.write("BEGIN; LOCK TABLE certification_check_log IN EXCLUSIVE MODE; SELECT 'locked';\n")
        self.proc.stdin.flush()
        assert self.proc.stdout.readline().strip() == "locked", self.proc.stderr.read()

    def release(self):
        if self.proc.poll() is None:
            self.proc.communicate("COMMIT;\n", timeout=30)


@pytest.fixture
def table_lock(pg):
    held = []

    def _lock():
        held.append(TableLock(pg))
        return held[-1]

    yield _lock
    for lock in held:
        lock.release()


def test_rows_are_written_without_a_read_of_the_log(client, lb, sql):
    gm = L.random_gm()
    _, tok = lb.municipality(gm)
    yes = lb.certified("2019")["org"]["kvkNumber"]
    before = time.time()
    single(client, tok, yes)
    after = time.time()
    rows = wait_for_rows(sql, gm, 1)
    assert [(n, c) for n, c, _ in rows] == [(literal([yes]), "{t}")], rows
    assert before - 0.5 <= rows[0][2] <= after + 0.5, "askedAt is when the check was answered"


def test_sigterm_writes_every_queued_row_in_order(lb, sql, spawn_server):
    """A flush interval of 5 s: the rows are still queued when SIGTERM comes, and written before
    the process ends, in the order the checks were answered."""
    srv, c = spawn_server({"CHECK_LOG_FLUSH_MILLISECONDS": "5000"})
    gm = L.random_gm()
    _, tok = lb.municipality(gm)
    yes = lb.certified("2019")["org"]["kvkNumber"]
    no = lb.create_org()["kvkNumber"]
    single(c, tok, yes)  # the first flush runs at start; these wait for the next one
    expected = [(literal([yes]), "{t}")]
    for i in range(6):
        numbers = [no, yes] if i % 2 else [yes, no, yes]
        r = c.post(CHECKS, token=tok, json={"kvkNumbers": numbers})
        assert r.status_code == 200, r.text
        expected.append((literal(numbers), literal("t" if r["certified"] else "f" for r in r.json()["results"])))
    assert len(rows_of(sql, gm)) < len(expected), "rows written before the flush interval ended"
    assert srv.stop(20) == 0
    rows = rows_of(sql, gm)
    assert [(n, c) for n, c, _ in rows] == expected
    times = [t for _, _, t in rows]
    assert times == sorted(times), "ids follow the order the checks were answered"


def test_checks_are_answered_while_the_log_cannot_be_written(lb, sql, spawn_server, table_lock):
    """With the log table locked, checks are still answered at once (the write is off their path);
    once it is free, every row is written once, in order."""
    srv, c = spawn_server({"CHECK_LOG_FLUSH_MILLISECONDS": "50", "STATEMENT_TIMEOUT_MS": "1000"})
    gm = L.random_gm()
    _, tok = lb.municipality(gm)
    yes = lb.certified("2019")["org"]["kvkNumber"]
    lock = table_lock()
    started = time.monotonic()
    numbers = [f"{91000000 + i:08d}" for i in range(20)] + [yes]
    for k in numbers:
        single(c, tok, k)
    elapsed = time.monotonic() - started
    assert elapsed < 2.0, f"21 checks took {elapsed:.2f} s while the log table was locked"
    assert rows_of(sql, gm) == []
    lock.release()
    rows = wait_for_rows(sql, gm, len(numbers), seconds=10)
    assert [(n, c) for n, c, _ in rows] == [(literal([k]), "{t}" if k == yes else "{f}") for k in numbers]


def test_a_full_queue_refuses_the_check_it_cannot_log(lb, sql, spawn_server, table_lock):
    """A queue of 16 KiB holds one check of 1000 numbers (about 11 KB) and not two: while the
    log cannot be written, the second check tries to write the queue itself and, when that fails
    too, is a 503. Nothing answered is lost; nothing refused is logged."""
    srv, c = spawn_server({"CHECK_LOG_FLUSH_MILLISECONDS": "50", "CHECK_LOG_QUEUE_BYTES": "16384",
                           "STATEMENT_TIMEOUT_MS": "300"})
    gm = L.random_gm()
    _, tok = lb.municipality(gm)
    first = [f"{92000000 + i:08d}" for i in range(1000)]
    second = [f"{93000000 + i:08d}" for i in range(1000)]
    lock = table_lock()
    r = c.post(CHECKS, token=tok, json={"kvkNumbers": first})
    assert r.status_code == 200, r.text
    r = c.post(CHECKS, token=tok, json={"kvkNumbers": second})
    H.assert_problem(r, 503)
    lock.release()
    rows = wait_for_rows(sql, gm, 1, seconds=10)
    time.sleep(0.3)
    rows = rows_of(sql, gm)
    assert [n for n, _, _ in rows] == [literal(first)]
    # the replica logs again once the table is free
    r = c.post(CHECKS, token=tok, json={"kvkNumbers": second})
    assert r.status_code == 200, r.text
    assert [n for n, _, _ in wait_for_rows(sql, gm, 2)] == [literal(first), literal(second)]


# ------------------------------------------------------- finding a KvK number's checks (sql/0017)

def index_run(sql):
    return int(sql("select kr_check_log_index(100000)")[0][0])


def test_a_numbers_entries_are_the_same_indexed_or_not(client, lb, sql):
    """Entries by KvK number come from the indexed runs and from the rows written since the last
    run; a page may hold both. Every page, with and without the municipality, equals the
    municipality's whole log filtered in the test, before and after each run."""
    gm = L.random_gm()
    _, tok = lb.municipality(gm)
    x, other = f"{L._rng.randrange(10 ** 7):07d}8", f"{L._rng.randrange(10 ** 7):07d}9"

    def verify():
        everything = M.log_entries(client, lb.admin, municipalityCode=gm, limit="100")
        mine = [e for e in everything if e["kvkNumber"] == x]
        for limit in ("1", "2", "3", "100"):
            assert M.log_entries(client, lb.admin, kvkNumber=x, municipalityCode=gm, limit=limit) == mine, limit
        assert [e for e in M.log_entries(client, lb.admin, kvkNumber=x, limit="100") if e["municipalityCode"] == gm] == mine
        return mine

    single(client, tok, x)
    client.post(CHECKS, token=tok, json={"kvkNumbers": [x, other, x]})
    assert len(verify()) == 3
    index_run(sql)
    assert sql("select count(*) from certification_check_log l, certification_check_log_indexed i"
               f" where l.municipality_code = '{gm}' and l.first_id > i.indexed_through")[0][0] == "0"
    client.post(CHECKS, token=tok, json={"kvkNumbers": [other, x]})
    single(client, tok, x)
    assert len(verify()) == 5  # two recent, three indexed
    index_run(sql)
    assert len(verify()) == 5


def test_runs_beside_concurrent_checks_lose_and_double_nothing(client, lb, sql, contract):
    """Index runs every 20 ms while four clients check a number in bulk: afterwards every check
    is found by the number, once."""
    import threading
    gm = L.random_gm()
    _, tok = lb.municipality(gm)
    x = f"{L._rng.randrange(10 ** 7):07d}7"
    stop = threading.Event()
    runs = []

    def indexer():
        while not stop.is_set():
            runs.append(index_run(sql))
            time.sleep(0.02)

    failures = []

    def checker(k):
        own = H.ApiClient(client.base_url, contract)  # a session of its own per thread
        try:
            for i in range(25):
                r = own.post(CHECKS, token=tok, json={"kvkNumbers": [x, f"{k}{i:07d}"]})
                if r.status_code != 200:
                    failures.append(r.text)
        finally:
            own.close()

    t = threading.Thread(target=indexer)
    t.start()
    workers = [threading.Thread(target=checker, args=(k,)) for k in range(1, 5)]
    try:
        for w in workers:
            w.start()
        for w in workers:
            w.join()
    finally:
        stop.set()
        t.join()
    assert not failures, failures[:3]
    assert sum(runs) > 0, "no run indexed anything"
    found = M.log_entries(client, lb.admin, kvkNumber=x, municipalityCode=gm, limit="100")
    assert len(found) == 100 and len({e["id"] for e in found}) == 100
    index_run(sql)
    assert M.log_entries(client, lb.admin, kvkNumber=x, municipalityCode=gm, limit="7") == found


def test_the_indexing_thread_indexes_what_its_replica_wrote(lb, sql, spawn_server):
    """CHECK_LOG_INDEX_SECONDS=1: a replica's rows are indexed by its own thread within seconds,
    with no call from outside."""
    srv, c = spawn_server({"CHECK_LOG_FLUSH_MILLISECONDS": "20", "CHECK_LOG_INDEX_SECONDS": "1"})
    gm = L.random_gm()
    _, tok = lb.municipality(gm)
    x = f"{L._rng.randrange(10 ** 7):07d}6"
    single(c, tok, x)
    first_id = int(wait_for_rows_ids(sql, gm))
    deadline = time.monotonic() + 3  # the test server's own thread runs every 5 s at most
    while int(sql("select indexed_through from certification_check_log_indexed")[0][0]) < first_id:
        assert time.monotonic() < deadline, "the row was not indexed within 3 s"
        time.sleep(0.1)
    assert sql(f"select count(*) from certification_check_log_kvk where kvk_number = '{x}'"
               f" and {first_id} = any(first_ids)")[0][0] == "1"


def wait_for_rows_ids(sql, gm, seconds=5.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        rows = sql(f"select first_id from certification_check_log where municipality_code = '{gm}'")
        if rows:
            return rows[0][0]
        time.sleep(0.05)
    raise AssertionError("no log row written")
