"""Loaded with `-p tests.datadir` before Django reads its settings: a test run never writes into the
real data folder (./data). Every run gets a fresh one, removed at the end; xdist workers inherit it."""

import atexit
import os
import shutil
import tempfile

if "JINQIU_DATA_DIR" not in os.environ:
    _path = tempfile.mkdtemp(prefix="jinqiu-test-")
    os.environ["JINQIU_DATA_DIR"] = _path
    atexit.register(shutil.rmtree, _path, True)
