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
        environ={}, db_path=tmp_path / "a.sqlite", port=8123, poll_seconds=0.3
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


# --- flags made from the one declaration; `tasukeai settings`; the README kept true ----------
def test_every_setting_is_a_flag_of_its_commands():
    from kit.settings import commands_of, flag_of, setting_fields

    parser = cli.build_parser()
    subparsers = next(a for a in parser._actions if isinstance(getattr(a, "choices", None), dict))
    for f in setting_fields():
        for command in commands_of(f):
            inner = next(
                (
                    a
                    for a in subparsers.choices[command]._actions
                    if isinstance(getattr(a, "choices", None), dict)
                ),
                None,
            )
            if inner is not None:  # a command with its own commands (district add/list, map purge)
                for sub, sub_parser in inner.choices.items():
                    assert flag_of(f) in sub_parser.format_help(), (f.name, command, sub)
                continue
            assert flag_of(f) in subparsers.choices[command].format_help(), (f.name, command)


def test_flags_reach_the_settings_through_the_same_parsing():
    args = cli.build_parser().parse_args(
        ["serve", "--pool", "3", "--port", "9001", "--poll-seconds", "0.4", "--db", "~/x.sqlite"]
    )
    settings = load_settings(environ={}, **cli.setting_overrides(args))
    assert (settings.member_pool_size, settings.port, settings.poll_seconds) == (3, 9001, 0.4)
    assert settings.db_path == Path("~/x.sqlite").expanduser()


def test_settings_command_shows_the_values_in_effect(capsys, monkeypatch):
    monkeypatch.setenv(env_name("member_pool_size"), "7")
    monkeypatch.setenv(env_name("port"), "9100")
    assert cli.main(["settings", "--port", "9200", "--key", "secret-key-123"]) == 0
    out = capsys.readouterr().out
    assert "member_pool_size = 7（環境変数 TASUKEAI_MEMBER_POOL_SIZE）" in out
    assert "port = 9200（引数）" in out  # the flag wins over the environment
    assert "iopub_timeout = 60（既定）" in out
    assert "secret-key-123" not in out  # the key is never shown (a projector may be on)


def test_bad_values_get_a_japanese_message(capsys):
    assert cli.main(["settings", "--port", "70000"]) == 2
    assert "範囲の外" in capsys.readouterr().err
    assert cli.main(["settings", "--kernel-transport", "udp"]) == 2
    assert "ipc・tcp" in capsys.readouterr().err
    assert cli.main(["settings", "--pool", "many"]) == 2
    assert "整数" in capsys.readouterr().err


def test_kernel_transport_by_platform():
    from kit.settings import default_kernel_transport

    assert default_kernel_transport("win32") == "tcp"
    assert default_kernel_transport("cygwin") == "tcp"
    assert default_kernel_transport("linux", ipc_available=True) == "ipc"
    assert default_kernel_transport("darwin", ipc_available=True) == "ipc"
    assert default_kernel_transport("linux", ipc_available=False) == "tcp"


def test_readme_settings_table_and_cli_help_are_generated_and_current():
    from tests import readme_sections

    text = readme_sections.README.read_text(encoding="utf-8")
    for name, build in readme_sections.SECTIONS.items():
        assert readme_sections.current(text, name) == build(), (
            f"README section {name} is out of date: run .venv/bin/python -m tests.readme_sections"
        )


def test_every_command_is_in_the_readme_help():
    from tests import readme_sections

    text = readme_sections.README.read_text(encoding="utf-8")
    paths = readme_sections.command_paths()
    assert ["district", "add"] in paths and ["serve"] in paths
    for path in paths:
        assert "`" + " ".join(["tasukeai", *path, "--help"]) + "`" in text


def test_sample_data_writes_to_the_current_folder_by_default(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert cli.main(["sample-data"]) == 0
    assert (tmp_path / "sample_city_summary.json").exists()
    assert list((tmp_path / "results").glob("*.zip"))
    named = tmp_path / "named"
    assert cli.main(["sample-data", str(named)]) == 0
    assert (named / "sample_city_summary.json").exists()


def test_district_add_and_list(tmp_path, capsys):
    db = str(tmp_path / "m.sqlite")
    assert cli.main(["district", "add", "さくら台地区", "--db", db]) == 0
    assert "登録しました" in capsys.readouterr().out
    assert cli.main(["district", "add", "さくら台 地区", "--db", db]) == 0  # the same name
    assert "すでに" in capsys.readouterr().out
    assert (
        cli.main(["district", "add", "みどり町地区", "--id", "d07", "--city", "架空市", "--db", db])
        == 0
    )
    capsys.readouterr()
    assert cli.main(["district", "list", "--db", db]) == 0
    out = capsys.readouterr().out
    assert "さくら台地区" in out and "d07\tみどり町地区\t架空市" in out
    assert cli.main(["district", "add", "", "--db", db]) == 2
    assert "地区名を入力してください" in capsys.readouterr().err
