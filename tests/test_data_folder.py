from pathlib import Path

from django.conf import settings


def test_tests_never_write_into_the_real_data_folder():
    real = (Path.cwd() / "data").resolve()
    assert real != settings.DATA_DIR
    assert real not in Path(settings.MEDIA_ROOT).resolve().parents
