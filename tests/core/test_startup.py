import gc
import importlib


def test_the_wsgi_application_freezes_what_it_loaded():
    gc.unfreeze()
    try:
        module = importlib.import_module("jinqiu.wsgi")
        importlib.reload(module)
        assert callable(module.application)
        assert gc.get_freeze_count() > 100_000  # Django, the views, the pinyin and character tables
    finally:
        gc.unfreeze()
