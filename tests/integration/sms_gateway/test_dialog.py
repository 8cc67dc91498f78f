"""The conversation residents have with the committee's number, text by text."""

from __future__ import annotations

from core.orders.services import resident_orders
from core.sms_segments import count_segments


def orders_of(world, phone):  # type: ignore[no-untyped-def]
    found = resident_orders(world.core, community_id=world.community_id, phone=phone)
    return {o.deal.number: o.quantity for o in found if o.status == "placed"}


def test_a_bare_deal_number_asks_how_many_then_a_bare_number_orders(sms, app_world):
    pears = app_world.deal(limit=3)
    wang = app_world.resident("王芳")
    question = sms.reply(wang.phone, str(pears.number))
    assert "赵县雪花梨" in question and "35元" in question and "省23元" in question
    assert "要几箱？回1-3" in question
    assert "社区服务站" in question  # where to pick up
    confirmation = sms.reply(wang.phone, "２")
    assert confirmation.startswith(f"已订{pears.number}号赵县雪花梨2箱")
    assert orders_of(app_world, wang.phone) == {pears.number: 2}


def test_the_question_lapses_after_thirty_minutes(sms, app_world, clock):
    pears = app_world.deal(limit=3)
    app_world.deal("东北大米", unit="袋")
    wang = app_world.resident("王芳")
    sms.reply(wang.phone, str(pears.number))
    clock.advance(minutes=31)
    answer = sms.reply(wang.phone, "2")  # now read afresh: deal 2, not "2 boxes of deal 1"
    assert "东北大米" in answer and "要几袋" in answer
    assert orders_of(app_world, wang.phone) == {}


def test_a_typed_order_places_it_at_once(sms, app_world):
    pears = app_world.deal()
    wang = app_world.resident("王芳")
    assert sms.reply(wang.phone, f"订{pears.number}号 三份 谢谢").startswith("已订1号")
    assert orders_of(app_world, wang.phone) == {1: 3}
    assert count_segments(sms.outbound(wang.phone)[-1].body) <= 2


# --- ambiguity never becomes an order ---------------------------------------------


def test_a_number_that_could_be_deal_and_quantity_is_asked_about(sms, app_world):
    app_world.deal()
    app_world.deal("东北大米", unit="袋")
    wang = app_world.resident("王芳")
    assert sms.reply(wang.phone, "23") == "您要订2号东北大米3袋（共105元），对吗？回1确认，回0不要"
    assert "数字太多" in sms.reply(wang.phone, "2 3 4")  # not an answer: read afresh
    assert sms.reply(wang.phone, "7 2") == "现在没有7号团购。回“团购”看可订的。"
    assert "要订哪一号" in sms.reply(wang.phone, "我要两份")
    assert orders_of(app_world, wang.phone) == {}
    sms.reply(wang.phone, "23")
    assert sms.reply(wang.phone, "1").startswith("已订2号东北大米3袋")


def test_over_the_limit_gets_the_limit_and_a_bare_number_then_takes_it(sms, app_world):
    app_world.deal(limit=3)
    wang = app_world.resident("王芳")
    assert sms.reply(wang.phone, "1 5") == "1号每户最多3箱。要订3箱请回“1 3”"
    assert sms.reply(wang.phone, "3").startswith("已订1号赵县雪花梨3箱")
    assert orders_of(app_world, wang.phone) == {1: 3}


def test_every_refusal_from_the_core_is_answered_in_words(sms, app_world, clock):
    wang = app_world.resident("王芳")
    li = app_world.resident("李明")
    app_world.deal(stock_cap=12, min_units=10)
    sms.reply(li.phone, "1 10")
    assert sms.reply(wang.phone, "1 5") == "1号只剩2箱了。要订请回“1 2”"
    assert sms.reply(wang.phone, "取消1") == "您没有订1号。回“我的”看您的订单。"
    assert sms.reply(wang.phone, "1 0") == "数量至少是1。要取消请回“取消1”"
    sms.reply(li.phone, "1 12")
    assert sms.reply(wang.phone, "1 1") == "1号已经订完了。"
    clock.advance(days=4)  # past the deadline
    assert sms.reply(wang.phone, "1 1") == "1号已截单，不能再订或改了。"
    stranger = sms.reply("+8613912345678", "1 1")
    assert stranger == "您的号码还没登记，请打138 0000 0000找居委会登记。"


def test_a_deal_not_open_yet_says_so(sms, app_world, clock):
    from core.deals.services import DealSpec, create_deal

    start = app_world.local(1, 9)
    create_deal(
        app_world.core,
        community_id=app_world.community_id,
        spec=DealSpec(
            title_zh="小米",
            unit="斤",
            price_fen=800,
            min_units=1,
            opens_at=start,
            closes_at=app_world.local(3, 20),
            pickup_start=app_world.local(5, 9),
            pickup_end=app_world.local(5, 11),
        ),
        open_now=True,
    )
    wang = app_world.resident("王芳")
    assert sms.reply(wang.phone, "1 2") == "1号还没开始，请稍后再订。"


def test_an_opted_out_resident_gets_nothing_more(sms, app_world):
    app_world.deal()
    wang = app_world.resident("王芳")
    assert sms.reply(wang.phone, "回T退订") == "已退订，不再给您发短信。回“订阅”可恢复。"
    sms.silence(wang.phone, "T")
    sms.silence(wang.phone, "TD")
    sms.send(wang.phone, "1 2")
    assert [m.status for m in sms.outbound(wang.phone)][-1] == "suppressed"
    sms.new_replies(wang.phone)
    assert sms.reply(wang.phone, "订阅") == "已恢复短信通知。回“团购”看可订的。"


def test_twilio_keywords_opt_out_and_in_without_a_second_answer_from_us(sms, app_world):
    wang = app_world.resident("王芳")
    sms.silence(wang.phone, "STOP")
    assert find(app_world, wang.phone).opted_out
    sms.silence(wang.phone, "start")
    assert not find(app_world, wang.phone).opted_out


def find(world, phone):  # type: ignore[no-untyped-def]
    from core.residents.services import find_resident

    return find_resident(world.core, community_id=world.community_id, phone=phone)


# --- cancelling, my orders, lists ----------------------------------------------------


def test_a_bare_cancel_asks_which_order_then_cancels_it(sms, app_world):
    app_world.deal()
    app_world.deal("东北大米", unit="袋")
    wang = app_world.resident("王芳")
    sms.reply(wang.phone, "1 2")
    sms.reply(wang.phone, "2 1")
    which = sms.reply(wang.phone, "取消")
    assert which == "您订了：1号赵县雪花梨2箱，2号东北大米1袋。要取消哪个？回号码，如“1”"
    assert sms.reply(wang.phone, "2") == "已取消2号东北大米的订单。"
    assert orders_of(app_world, wang.phone) == {1: 2}
    assert sms.reply(wang.phone, "CANCEL 1") == "已取消1号赵县雪花梨的订单。"
    assert sms.reply(wang.phone, "取消") == "您现在没有订单。"


def test_an_order_past_its_deadline_is_not_offered_for_cancelling(sms, app_world, clock):
    app_world.deal(closes_at=app_world.local(0, 20))  # closes tonight
    app_world.deal("东北大米", unit="袋")  # closes in three days
    wang = app_world.resident("王芳")
    sms.reply(wang.phone, "1 2")
    sms.reply(wang.phone, "2 1")
    clock.advance(days=1)  # pears past their deadline, not yet closed by housekeeping
    assert sms.reply(wang.phone, "取消") == "已取消2号东北大米的订单。"  # the one left
    assert sms.reply(wang.phone, "取消") == "您现在没有订单。"
    assert sms.reply(wang.phone, "全部取消") == "您现在没有可取消的订单。"
    assert sms.reply(wang.phone, "取消1") == "1号已截单，不能再订或改了。"
    assert orders_of(app_world, wang.phone) == {1: 2}


def test_my_orders_lists_them_with_totals_and_deadlines(sms, app_world):
    app_world.deal()
    wang = app_world.resident("王芳")
    assert sms.reply(wang.phone, "我的") == "您现在没有订单。回“团购”看可订的。"
    sms.reply(wang.phone, "1 2")
    mine = sms.reply(wang.phone, "查询")
    assert mine == "您的订单：\n1号赵县雪花梨2箱，70元，11月26日周四 20:00截止"


def test_a_long_list_is_paged_with_more(sms, app_world):
    titles = ["赵县雪花梨", "东北大米", "沁州黄小米", "花生油", "土鸡蛋", "大白菜", "苹果", "红薯"]
    for title in titles:
        app_world.deal(title, unit="份")
    wang = app_world.resident("王芳")
    seen: list[str] = []
    page = sms.reply(wang.phone, "团购")
    pages = [page]
    while "更多" in page:
        page = sms.reply(wang.phone, "更多")
        pages.append(page)
    assert len(pages) > 1
    for text in pages:
        assert count_segments(text) <= 2
        seen += [title for title in titles if title in text]
    assert seen == titles
    assert sms.reply(wang.phone, "更多") == "没有更多了。回“团购”从头看。"


def test_help_names_the_committee_phone_in_two_lines(sms, app_world):
    for text in ("帮助", "？", "?", "HELP", "怎么订"):
        answer = sms.reply(app_world.resident().phone, text)  # one each: 3 alike is a loop
        assert answer.count("\n") == 1 and "138 0000 0000" in answer
        assert "http" not in answer


def test_unknown_text_gets_a_two_line_help_and_thanks_get_nothing(sms, app_world):
    wang = app_world.resident("王芳")
    answer = sms.reply(wang.phone, "今天天气不错")
    assert answer.startswith("没看懂您的短信") and answer.count("\n") == 1
    sms.silence(wang.phone, "谢谢！")


def test_english_on_request(sms, app_world):
    app_world.deal(limit=3)
    wang = app_world.resident("王芳")
    assert sms.reply(wang.phone, "ENGLISH") == "OK, we will text you in English from now on."
    listing = sms.reply(wang.phone, "list")
    assert listing.startswith("Group buys:\n#1 Snow pears 35 yuan/箱 (save 23 yuan)")
    assert sms.reply(wang.phone, "1").endswith("How many 箱? Reply 1-3")
    assert sms.reply(wang.phone, "中文") == "好的，以后给您发中文短信。"


# --- registration and staff ----------------------------------------------------------


def test_self_registration_where_the_community_allows_it(sms, app_world):
    from core.community.models import Community

    with app_world.core.db.transaction() as session:
        session.get_one(Community, app_world.community_id).allow_self_registration = True
    stranger = "+8613912345678"
    assert sms.reply(stranger, "团购").startswith("您的号码还没登记。请回“注册 姓名 楼-单元-室”")
    assert (
        sms.reply(stranger, "注册 李明 5-1-302")
        == "李明您好，已登记（5-1-302）。回“团购”看可订的。"
    )
    assert find(app_world, stranger).name == "李明"
    assert sms.reply(stranger, "注册 李明 5-1-302").startswith("您已登记为李明（5-1-302）")


def test_registration_by_text_is_refused_where_staff_register_residents(sms, app_world):
    stranger = "+8613912345678"
    assert "138 0000 0000" in sms.reply(stranger, "注册 李明 5-1-302")
    assert find(app_world, stranger) is None


def test_staff_close_and_total_from_the_staff_phone(sms, app_world):
    app_world.deal(min_units=2)
    wang = app_world.resident("王芳")
    sms.reply(wang.phone, "1 3")
    staff = "+8613800000000"
    total = sms.reply(staff, "统计 1")
    assert total == "1号赵县雪花梨：1户共3箱，货款105元，居民共省69元。"
    assert sms.reply(staff, "截单1") == "1号已截单并成团：共3箱，已通知1户。"
    assert sms.reply(staff, "CLOSE 1") == "#1 was closed already; nothing changed."
    assert sms.reply(staff, "截单 9") == "没有9号团购。"
    (told,) = sms.new_replies(wang.phone)
    assert told.startswith("好消息：1号赵县雪花梨已成团")
    assert sms.reply(wang.phone, "截单 1") == "这个命令只有居委会工作人员能用。"


def test_staff_remind_sends_the_pickup_reminder_once_per_text(sms, app_world):
    app_world.deal(min_units=1)
    wang, li = app_world.resident("王芳"), app_world.resident("李明", language="en")
    sms.reply(wang.phone, "1 2")
    sms.reply(li.phone, "1 1")
    staff = "+8613800000000"
    sent = sms.send(staff, "提醒 1")
    (done,) = sms.new_replies(staff)
    assert done.startswith("已给2户发1号取货提醒，共") and done.endswith("条短信。")
    sms.send(staff, "提醒 1", sid=sent.sid)  # Twilio's retry
    assert sms.new_replies(staff) == []
    reminders = [m for m in sms.outbound(wang.phone) if m.batch_id is not None]
    assert len(reminders) == 1 and "取货" in reminders[0].body
    assert sms.reply(staff, "REMIND 7") == "There is no deal #7."


def test_staff_remind_of_a_deal_nobody_ordered_sends_nothing(sms, app_world):
    app_world.deal()
    app_world.resident("王芳")
    staff = "+8613800000000"
    assert sms.reply(staff, "提醒 1") == "1号还没有人订，没有发提醒。"
    assert [m for m in sms.outbound(staff) if m.batch_id is not None] == []
