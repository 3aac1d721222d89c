"""The `aftercare` command speaks the terminal's language: its help, its output and its refusals."""
from __future__ import annotations

from click.testing import CliRunner

from cli.commands import main
from cli.language import width

# Variables of the host's shell that would otherwise decide the language before LANG does.
_UNSET = {"AFTERCARE_LANG": None, "LC_ALL": None, "LC_MESSAGES": None}


def _run(*args: str, lang: str, database_url: str | None = None, **env: str):
    environment = {**_UNSET, "LANG": lang, **env}
    if database_url:
        environment["AFTERCARE_DATABASE_URL"] = database_url
    return CliRunner(env=environment).invoke(main, list(args))


def test_the_help_is_in_chinese_on_a_chinese_terminal():
    result = _run("--help", lang="zh_CN.UTF-8")
    assert result.exit_code == 0, result.output
    assert "售后无忧：上门服务派工与备件物流。" in result.output
    assert "用法:" in result.output and "命令:" in result.output and "员工账户。" in result.output
    assert "Staff accounts." not in result.output


def test_the_help_is_in_english_on_a_c_terminal():
    result = _run("--help", lang="C")
    assert result.exit_code == 0, result.output
    assert "Aftercare: field-service dispatch and spare-parts logistics." in result.output
    assert "Usage:" in result.output and "Staff accounts." in result.output
    assert "售后" not in result.output


def test_one_process_answers_each_run_in_its_own_language():
    # click keeps a command's --help option once made; its text still follows each run's language.
    assert "显示此帮助信息并退出。" in _run("user", "create", "--help", lang="zh_CN.UTF-8").output
    english = _run("user", "create", "--help", lang="C").output
    assert "Show this message and exit." in english and "The name pages show for them." in english
    assert "页面上显示的姓名。" in _run("user", "create", "--help", lang="zh_CN.UTF-8").output


def test_option_names_and_choices_stay_as_they_are_in_chinese_and_type_names_are_translated():
    output = _run("user", "create", "--help", lang="zh_CN.UTF-8").output
    assert "--name 文本" in output and "[agent|dispatcher|technician|warehouse|manager|admin]" in output
    assert "[必填]" in output and "TEXT" not in output
    assert "--name TEXT" in _run("user", "create", "--help", lang="C").output


def test_the_help_columns_line_up_with_chinese_type_names():
    lines = [line for line in _run("labels", "--help", lang="zh_CN.UTF-8").output.splitlines()
             if line.startswith("  --")]
    assert any("--limit 整数范围" in line for line in lines)
    # Every option's help starts in the same terminal column.
    def help_column(line: str) -> int:
        gap = line.index("  ", 4)  # the spaces between an option and its help
        return width(line[:len(line) - len(line[gap:].lstrip())])

    assert len({help_column(line) for line in lines}) == 1, lines


def test_clicks_type_and_file_errors_are_in_chinese():
    result = _run("labels", "--out", "x.pdf", "--limit", "abc", lang="zh_CN.UTF-8")
    assert result.exit_code == 2 and "'abc' 不是有效的整数范围。" in result.output, result.output
    result = _run("route", "solve", "/no/such/problem.json", lang="zh_CN.UTF-8")
    assert result.exit_code == 2 and "文件 '/no/such/problem.json' 不存在。" in result.output, result.output
    result = _run("import", "a", "b", lang="zh_CN.UTF-8")
    assert result.exit_code == 2 and "多出了意外的参数（b）" in result.output, result.output
    result = _run("labels", "--out", lang="zh_CN.UTF-8")
    assert "选项 '--out' 需要一个值。" in result.output, result.output
    assert "is not a valid integer range" in _run("labels", "--out", "x.pdf", "--limit", "abc", lang="C").output


def test_chinese_short_helps_fit_an_eighty_column_terminal():
    output = _run("--help", lang="zh_CN.UTF-8", COLUMNS="80").output
    assert max(width(line) for line in output.splitlines()) <= 80


def test_a_usage_error_is_in_chinese():
    result = _run("user", "create", "x", "--name", "X", "--role", "bogus", "--password", "p", lang="zh_CN.UTF-8")
    assert result.exit_code == 2
    assert "错误：'--role' 的值无效：'bogus' 不是以下之一" in result.output


def test_the_stock_check_of_an_empty_database_reports_in_chinese(database_url, session):
    result = _run("stock", "check", lang="zh_CN.UTF-8", database_url=database_url)
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "库存核对通过：0 个库存数量均等于 0 笔台账变动之和"


def test_the_stock_check_of_an_empty_database_reports_in_english_on_a_c_terminal(database_url, session):
    result = _run("stock", "check", lang="C", database_url=database_url)
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "stock check ok: 0 levels equal the sums of 0 ledger movements"


def test_a_refused_user_is_explained_in_chinese(database_url, session):
    result = _run("user", "create", "agent.short", "--name", "Short", "--role", "agent", "--password", "short",
                  lang="zh_CN.UTF-8", database_url=database_url)
    assert result.exit_code == 1
    assert "错误：密码至少需要 10 个字符。" in result.output and "Traceback" not in result.output


def test_a_refused_user_is_explained_in_english_on_a_c_terminal(database_url, session):
    result = _run("user", "create", "agent.short", "--name", "Short", "--role", "agent", "--password", "short",
                  lang="C", database_url=database_url)
    assert result.exit_code == 1
    assert "Error: Use at least 10 characters." in result.output


def test_lc_all_speaks_before_lang_and_aftercare_lang_before_both():
    assert "Staff accounts." in _run("--help", lang="zh_CN.UTF-8", LC_ALL="C").output
    assert "员工账户。" in _run("--help", lang="C", LC_ALL="C", AFTERCARE_LANG="zh").output


def test_a_refusal_from_the_domain_is_in_chinese_inside_clicks_own_error(database_url, session, tmp_path):
    result = _run("route", "map", "--region", "nowhere", "--out", str(tmp_path / "map.svg"), lang="zh_CN.UTF-8",
                  database_url=database_url)
    assert result.exit_code == 2
    assert "错误：--region 的值无效：没有区域 'nowhere'。" in result.output
