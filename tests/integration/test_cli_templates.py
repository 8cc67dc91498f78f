"""`templates signature|push-key|set|list|check` from the shell."""

from __future__ import annotations

from tests.integration.test_cli import app, community, run  # noqa: F401  (the CLI tests' fixtures)


def test_a_signature_gives_push_urls_and_the_key_rotates(run, community):  # type: ignore[no-untyped-def]  # noqa: F811
    made = run("templates", "signature", "--provider", "aliyun", "--sign-name", "幸福里社区")
    assert made.exit_code == 0, made.output
    lines = made.output.splitlines()
    assert lines[0] == "幸福里 on aliyun: 【幸福里社区】"
    assert lines[1].startswith("inbound: ") and "/sms/aliyun/inbound?key=" in lines[1]
    assert "/sms/aliyun/report?key=" in lines[2]
    shown = run("templates", "push-key", "--provider", "aliyun")
    assert shown.output.splitlines() == lines[1:]
    rotated = run("templates", "push-key", "--provider", "aliyun", "--rotate")
    assert rotated.exit_code == 0 and rotated.output.splitlines() != lines[1:]
    none = run("templates", "push-key", "--provider", "tencent")
    assert none.exit_code != 0 and "templates signature first" in none.output
    bad = run("templates", "signature", "--provider", "aliyun", "--sign-name", "【幸福里】")
    assert bad.exit_code != 0 and "sign_name" in bad.output


def test_a_community_under_a_shared_signature_gets_its_extension_code(run, community):  # type: ignore[no-untyped-def]  # noqa: F811
    made = run(
        "templates",
        "signature",
        "--provider",
        "tencent",
        "--sign-name",
        "幸福街道",
        "--extension",
        "07",
    )
    assert made.exit_code == 0, made.output
    assert made.output.splitlines()[0] == "幸福里 on tencent: 【幸福街道】 extension 07"
    bad = run(
        "templates",
        "signature",
        "--provider",
        "tencent",
        "--sign-name",
        "幸福街道",
        "--extend-code",
        "7a",
    )
    assert bad.exit_code != 0 and "extend_code: digits only" in bad.output


def test_set_list_and_check_a_good_and_a_broken_template(run, community):  # type: ignore[no-untyped-def]  # noqa: F811
    assert (
        run(
            "templates", "signature", "--provider", "tencent", "--sign-name", "幸福里社区"
        ).exit_code
        == 0
    )
    good = run(
        "templates",
        "set",
        "staff_reply",
        "--provider",
        "tencent",
        "--code",
        "1001",
        "--text",
        "{1}提醒您：取货时间有变，请留意社区服务站通知。",
        "--variable",
        "community",
    )
    assert good.exit_code == 0, good.output
    broken = run(
        "templates",
        "set",
        "broadcast",
        "--provider",
        "tencent",
        "--code",
        "1002",
        "--text",
        "【团购】{1}{2}詳情請致電13800000000 www.example.com",
        "--variable",
        "community",
        "--variable",
        "content",
    )
    assert broken.exit_code == 0, broken.output
    listed = run("templates", "list", "--provider", "tencent")
    assert listed.output.splitlines() == [
        "tencent\tbroadcast\t1002\tcommunity,content",
        "tencent\tstaff_reply\t1001\tcommunity",
    ]
    checked = run("templates", "check", "--provider", "tencent", "--print")
    assert checked.exit_code == 1
    out = checked.output
    assert "tencent staff_reply 1001: ok" in out
    assert "tencent broadcast 1002: BREAKS RULES" in out
    for words in (
        "two variables may not sit next to each other",
        "no 【】 in a template",
        "traditional characters",
        "a link in the text",
        "a mobile number in the text",
        "a promotional text must end with 回T退订",
    ):
        assert words in out, words
    assert "  paste: {1}提醒您：取货时间有变，请留意社区服务站通知。" in out
    unknown = run(
        "templates",
        "set",
        "reply",
        "--provider",
        "tencent",
        "--code",
        "1003",
        "--text",
        "{1}",
        "--variable",
        "price",
    )
    assert unknown.exit_code != 0 and "unknown price" in unknown.output


def test_check_passes_when_every_template_keeps_the_rules(run, community):  # type: ignore[no-untyped-def]  # noqa: F811
    assert (
        run("templates", "signature", "--provider", "aliyun", "--sign-name", "幸福里社区").exit_code
        == 0
    )
    assert (
        run(
            "templates",
            "set",
            "broadcast",
            "--provider",
            "aliyun",
            "--code",
            "SMS_1",
            "--text",
            "${community}本周团购已开始，欢迎到社区服务站看看。回T退订",
            "--variable",
            "community",
        ).exit_code
        == 0
    )
    checked = run("templates", "check")
    assert checked.exit_code == 0, checked.output
    assert "aliyun broadcast SMS_1: ok" in checked.output


def test_a_daily_budget_is_shown_set_and_put_back(run, community):  # type: ignore[no-untyped-def]  # noqa: F811
    assert "no tencent signature yet" in run("templates", "budget", "--provider", "tencent").output
    run("templates", "signature", "--provider", "tencent", "--sign-name", "幸福里社区")
    shown = run("templates", "budget", "--provider", "tencent")
    assert "10 texts a resident a day (the provider's documented cap)" in shown.output
    assert "5 texts a resident a day (set)" in (
        run("templates", "budget", "--provider", "tencent", "--daily", "5").output
    )
    refused = run("templates", "budget", "--provider", "tencent", "--daily", "500")
    assert refused.exit_code != 0 and "1 to 50 texts a day" in refused.output
    put_back = run("templates", "budget", "--provider", "tencent", "--default")
    assert "10 texts a resident a day (the provider's documented cap)" in put_back.output


def test_print_suggests_the_words_to_file_for_each_key_not_filed(run, community):  # type: ignore[no-untyped-def]  # noqa: F811
    run("templates", "signature", "--provider", "tencent", "--sign-name", "幸福里社区")
    out = run("templates", "check", "--provider", "tencent", "--print").output
    assert "tencent digest: not filed; suggested" in out
    assert "  paste: 取货提醒：{1}，请于{2}到{3}取。" in out
    assert "  variables: items (text, 20), pickup (time, 20), place (text, 20)" in out
    assert "templates set digest --provider tencent --code CODE --variable items" in out
