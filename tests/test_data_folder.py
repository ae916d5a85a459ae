from pathlib import Path

from django.conf import settings


def test_tests_never_write_into_the_real_data_folder():
    real = (Path.cwd() / "data").resolve()
    assert settings.DATA_DIR != real
    assert real not in Path(settings.MEDIA_ROOT).resolve().parents
