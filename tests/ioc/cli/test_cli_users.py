"""``ioc users`` and ``ioc users token`` against a real database."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from ioc.auth.passwords import token_digest, verify_password
from ioc.cli import app
from ioc.storage import users as users_store


@pytest.fixture
def env(empty_db, tmp_path):
    """Environment of a CLI run: this test's database and no config file."""
    return {"IOC_DATABASE_URL": empty_db.url, "IOC_CONFIG_FILE": str(tmp_path / "none.toml"),
            "IOC_DATA_DIR": str(tmp_path / "data")}


def _run(env, *args: str, input: str | None = None):
    return CliRunner().invoke(app, ["users", *args], env=env, input=input)


def _user(db, username):
    with db.connection() as conn:
        return users_store.get_user(conn, username)


def test_add_list_disable_enable_passwd(env, empty_db):
    result = _run(env, "add", "lan", "--role", "analyst", "--sectors", "cchc, giao_thong", "--name", "Nguyễn Thị Lan",
                  input="mat-khau-dai-1\nmat-khau-dai-1\n")
    assert result.exit_code == 0 and "user lan added (analyst)" in result.output, result.output
    lan = _user(empty_db, "lan")
    assert (lan.role, lan.sectors, lan.display_name) == ("analyst", ["cchc", "giao_thong"], "Nguyễn Thị Lan")
    assert verify_password(lan.password_hash, "mat-khau-dai-1")

    result = _run(env, "disable", "lan")
    assert result.exit_code == 0 and "user lan disabled" in result.output
    assert _user(empty_db, "lan").disabled
    listed = _run(env, "list")
    assert listed.exit_code == 0 and listed.output.split() == ["lan", "analyst", "disabled", "cchc,giao_thong"]
    assert _run(env, "enable", "lan").exit_code == 0 and not _user(empty_db, "lan").disabled

    result = _run(env, "passwd", "lan", input="mat-khau-moi-2\nmat-khau-moi-2\n")
    assert result.exit_code == 0 and "password of lan changed" in result.output
    assert verify_password(_user(empty_db, "lan").password_hash, "mat-khau-moi-2")


def test_account_errors_are_one_line_and_exit_2(env, empty_db):
    for args in (["disable", "khong-co"], ["enable", "khong-co"]):
        result = _run(env, *args)
        assert result.exit_code == 2 and "no user named 'khong-co'" in result.output
    result = _run(env, "add", "ngan", "--role", "leader", input="ngan\nngan\n")
    assert result.exit_code == 2 and "password too short" in result.output
    assert _user(empty_db, "ngan") is None


def test_token_add_list_revoke(env, empty_db):
    result = _run(env, "token", "add", "man-hinh-1", "--playlist", "tong-quan")
    assert result.exit_code == 0, result.output
    token = result.output.split("open: /wall?token=")[1].strip()
    with empty_db.connection() as conn:
        found = users_store.find_display_token(conn, token_digest(token))
    assert found is not None and found.name == "man-hinh-1" and found.playlist == "tong-quan"
    assert _run(env, "token", "list").output.split() == [str(found.id), "man-hinh-1", "tong-quan", "active"]
    result = _run(env, "token", "revoke", str(found.id))
    assert result.exit_code == 0 and f"token {found.id} revoked" in result.output
    assert _run(env, "token", "list").output.split()[-1] == "revoked"
    result = _run(env, "token", "revoke", str(found.id))
    assert result.exit_code == 2 and f"no active display token with id {found.id}" in result.output
