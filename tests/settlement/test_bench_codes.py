"""The settlement benchmark requires every SPEC 7.2 reason code the run can give to occur in its month (issue 20):
its list is the run's, so a new code makes the bench fail until its data makes the code occur."""

from ltci.bench import settlement as bench
from settlement import rules


def test_the_bench_counts_every_code_of_the_run():
    assert set(bench.CODES) == set(rules.REASON_TEXT)
    assert len(bench.CODES) == len(set(bench.CODES))
