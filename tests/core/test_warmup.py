"""ltci.core.warmup: what gunicorn's master does before forking must not touch the database or Redis."""

import pytest

from ltci.core.warmup import warm


@pytest.mark.django_db
def test_warm_compiles_templates_and_runs_no_query(django_assert_num_queries):
    from django.template import engines

    with django_assert_num_queries(0):
        warm()
    loader = engines["django"].engine.template_loaders[0]
    assert any("insured/home.html" in str(key) for key in getattr(loader, "get_template_cache", {}))


def test_gunicorn_preloads_and_warms():
    import runpy
    from pathlib import Path

    conf = runpy.run_path(str(Path(__file__).resolve().parents[2] / "gunicorn.conf.py"))
    assert conf["preload_app"] is True and callable(conf["when_ready"])
