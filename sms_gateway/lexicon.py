"""The words the order reader knows, by what they do in a sentence.

Kept as data, longest words first when matching, so that 不要了 is a cancel
before 要 is a verb. Sound-alike characters from pinyin input (分 for 份, 代
for 袋, 统 for 桶) are not listed here: the reader finds them by pinyin.
"""

from __future__ import annotations

from typing import Literal

WordKind = Literal[
    "verb",  # 订 要 买 来: an order is meant
    "cancel",  # 取消 不要了 退: take an order back
    "set",  # 改成 改为: the order becomes N
    "replace",  # 换成: another product instead
    "add",  # 再加 再来 再要: N more
    "except",  # 除了: every deal but this one
    "reduce",  # 少要 减: N fewer
    "correct",  # 不对 发错了: what follows replaces what came before
    "each",  # 各: the same quantity of each
    "all",  # 每样 全部 所有: every deal, or every order
    "sep",  # 和 还有 、 ,: between items
    "deal_pre",  # 第: the next number is a deal
    "deal_post",  # 号: the number before is a deal
    "neg",  # 负 减: a negative quantity
    "negate",  # 不 别 没
    "person",  # 人工 找人 工作人员: the resident asks for a person
    "complaint",  # 坏了 烂了 投诉: something is wrong with the goods
    "question",  # 吗 多少 几 ?
    "filler",  # voice-input fillers, particles and pronouns
    "polite",  # 谢谢 你好 麻烦
]

WORDS: dict[WordKind, str] = {
    "except": "除了 除去 除 except but",
    "cancel": "without 取消 不要了 不要啦 不用了 不需要了 不买了 退掉 退单 退了 撤销 作废 "
    "不订了 不要 退 cancel",
    "set": "改成 改为 改到 改一下 改 变成 就要 只要 一共要 总共要 总共 一共 make change switch",
    "replace": "换成 换 改订 改要",
    "reduce": "少要 少来 少订 少买 减少 减掉 减去 减 少 去掉 less fewer",
    "add": "再加 再来 再要 再订 再买 多加 多要 多来 加上 还要 加 再 又要 又 another more extra "
    "add",
    "correct": "不对 不对不对 错了 发错了 说错了 打错了 写错了 弄错了 搞错了 按错了 不是 重新 "
    "更正 应该是 算了 要不 还是 太多了 太多 多了 啊不 哦不 嗯不 不不 wrong sorry meant "
    "actually",
    "each": "各 每样各 每种各 each",
    "all": "每样 每种 每个都 全部 所有的 所有 全都 都 everything all every",
    "sep": "和 跟 与 及 以及 还有 另外 外加 、 , ; and",
    "verb": "我要订 我想要 我想订 我想买 我要买 帮我订 帮我 给我来 给俺来 给我 给俺 我要 我订 "
    "我买 想要 想订 要 订购 预订 预定 订 定 买 来 整 弄 拿 下单 报名 order buy want get need "
    "take book",
    "deal_pre": "第 deal item number no",
    "deal_post": "号",
    "neg": "负 minus negative",
    "negate": "不 别 没",
    "person": "人工 找人 真人 工作人员 客服 居委会的人 打电话给我 给我打电话 回电话 跟人说 "
    "和人说 找个人 person human",
    "complaint": "坏了 烂了 坏的 烂的 投诉 发霉 变质 有虫 不新鲜 质量不好 质量差 少了 缺斤少两 "
    "退钱",
    "question": "吗 呢 多少钱 多少 几 什么时候 什么 啥时候 啥 哪里 哪儿 在哪 哪 怎么 咋 是不是 "
    "有没有 能不能 可不可以 行不行 还剩 剩 成团 ? what how when where which",
    "filler": "那个啥 那啥 啥来着 叫啥 来着 这么多 就这么多 就这些 instead 嗯嗯 嗯 呃 额 啊 哦 "
    "噢 哎 唉 诶 那个 这个 就是 就 的 地 了 吧 呗 呀 啦 哈 我 俺 咱 你 您 们 一下 先 也 就那 "
    "然后 那 这 是 给 下 麻 帮 老伴说 老伴 我老伴 孩子 家里 他 她 说 想 能 可以 行 好 呢 吧吧 "
    "i me my for of the a to please pls plz hi hello hey ok is it some would like could can "
    "you",
    "polite": "谢谢你 谢谢您 谢谢 多谢 感谢 麻烦了 麻烦 辛苦了 您好 你好 请 好的 thanks thank",
}

# Measure words. The generic ones (份 个 件 样) fit any deal; the others must be the
# deal's own unit (or a near one: 包 for 袋).
UNITS = (
    "份 个 件 样 只 袋 包 桶 瓶 箱 盒 提 斤 公斤 千克 克 两斤 套 组 条 把 捆 兜 筐 框 扎 罐"
).split()
GENERIC_UNITS = frozenset("份 个 件 样 只".split())
NEAR_UNITS: dict[str, frozenset[str]] = {
    "袋": frozenset("包 兜".split()),
    "包": frozenset("袋 兜".split()),
    "箱": frozenset("筐 框".split()),
    "盒": frozenset(),
    "桶": frozenset(),
}
WEIGHT_UNITS = frozenset("斤 公斤 千克 克 两斤 kg jin".split())
# English containers are generic: a "box" of eggs is their 盒, a "box" of vegetables their 箱.
EN_UNITS: dict[str, str] = {
    "portion": "份", "share": "份", "serving": "份", "piece": "个", "pc": "个", "pcs": "个",
    "unit": "份", "bag": "份", "pack": "份", "packet": "份", "bucket": "份", "barrel": "份",
    "jug": "份", "tub": "份", "bottle": "份", "box": "份", "boxe": "份", "carton": "份",
    "tray": "份", "kg": "公斤", "jin": "斤", "pound": "斤", "lb": "斤", "x": "×",
}  # fmt: skip
# The pinyin of measure words, for 两分 (份), 两代 (袋), 一统 (桶) typed by sound.
UNIT_SOUNDS: dict[str, str] = {
    "fen": "份", "dai": "袋", "tong": "桶", "xiang": "箱", "he": "盒", "ping": "瓶", "bao": "包",
    "ge": "个", "jin": "斤",
}  # fmt: skip


def vocabulary() -> dict[str, WordKind]:
    table: dict[str, WordKind] = {}
    for kind, words in WORDS.items():
        for word in words.split():
            table.setdefault(word, kind)
    return table
