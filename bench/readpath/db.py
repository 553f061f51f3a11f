"""psql as a subprocess (the bench needs no Python driver): rows as lists of strings."""
import subprocess

PSQL = "/usr/lib/postgresql/15/bin/psql"


def query(url, sql):
    out = subprocess.run([PSQL, url, "-v", "ON_ERROR_STOP=1", "-AtqX", "-F", "\t", "-c", sql],
                         check=True, capture_output=True, text=True).stdout
    return [line.split("\t") for line in out.splitlines() if line != ""]
