"""Settings declared once; the ``tasukeai`` command."""

from __future__ import annotations

import json
from pathlib import Path

from kit import cli
from kit.settings import Settings, env_name, load_settings, settings_environ


def test_every_setting_has_help():
    rows = Settings.help_rows()
    assert rows and all(help_text for _, _, help_text in rows)


def test_environment_then_overrides(tmp_path):
    environ = {env_name("port"): "9000", env_name("db_path"): str(tmp_path / "x.sqlite")}
    settings = load_settings(environ=environ)
    assert settings.port == 9000 and settings.db_path == tmp_path / "x.sqlite"
    assert load_settings(environ=environ, port=9100).port == 9100


def test_settings_round_trip_through_the_kernel_environment(tmp_path):
    settings = load_settings(
        environ={}, db_path=tmp_path / "a.sqlite", port=8123, poll_seconds=0.25
    )
    assert load_settings(environ=settings_environ(settings)) == settings


def test_plan_json_lists_the_whole_plan(capsys):
    assert cli.main(["plan", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    goals = [g for b in data["basic_plans"] for g in b["goals"]]
    policies = [p for g in goals for p in g["policies"]]
    assert (len(data["basic_plans"]), len(goals), len(policies)) == (4, 8, 15)
    assert data["slogan"] == "みんなでたすけあい 笑顔でつながるまちづくり"


def test_plan_tree_is_readable(capsys):
    assert cli.main(["plan"]) == 0
    out = capsys.readouterr().out
    assert "地域でのつながりを深めよう" in out and "組織の強化を図ります" in out


def test_broken_plan_file_gives_a_japanese_message_and_exit_code_2(tmp_path, capsys):
    broken = tmp_path / "plan.json"
    broken.write_text("{not json", encoding="utf-8")
    assert cli.main(["plan", "--plan", str(broken)]) == 2
    assert "計画" in capsys.readouterr().err


def test_settings_command_lists_every_setting(capsys):
    assert cli.main(["settings"]) == 0
    out = capsys.readouterr().out
    for name, _, _ in Settings.help_rows():
        assert name in out


def test_readme_documents_every_setting_and_command():
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    for name, _, _ in Settings.help_rows():
        assert f"`{name}`" in readme, name
    for command in cli.COMMANDS:
        assert f"tasukeai {command}" in readme, command
