"""A trained run folder shared by the CLI tests that evaluate and predict (trained once)."""

import pytest

from chainrule.cli import main


@pytest.fixture(scope="session")
def run_folder(tmp_path_factory):
    pytest.importorskip("sklearn")  # the bundled digits
    folder = tmp_path_factory.mktemp("cli") / "run"
    assert main(["train", "--model", "16", "--epochs", "2", "--out", str(folder), "--quiet"]) == 0
    return folder
