"""The demo's supplier directory: the farm bases of 正定, 井陉 and 高邑 and the brand firms,
with two of the inspection team's visits (part of `demo seed`)."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from core.community.models import Supplier
from core.context import Core
from core.suppliers.models import InspectionVisit, Verdict

SUPPLIERS = [
    # name, kind, county, contact, products
    ("赵县梨园合作社", "farm_base", "赵县", "周会计 13931100001", "雪花梨、鸭梨"),
    ("正定蔬菜基地", "farm_base", "正定", "赵师傅 13931100002", "白菜、萝卜、西红柿、黄瓜"),
    ("井陉小米基地", "farm_base", "井陉", "王大姐 13931100003", "小米、杂粮"),
    ("高邑鸡蛋养殖场", "farm_base", "高邑", "刘场长 13931100004", "鸡蛋、土鸡"),
    ("鲁花", "brand", "", "石家庄经销处 0311-85000001", "花生油"),
    ("中盐", "brand", "", "河北盐业 0311-85000002", "食盐"),
    ("北方粮油批发", "wholesaler", "桥西区", "孙经理 13931100005", "大米、面粉、挂面"),
]


def seed_suppliers(core: Core, community_id: int) -> int:
    """Fill in the directory (the deals named some of these already) and two visits."""
    today = core.now().astimezone(ZoneInfo("Asia/Shanghai")).date()  # the demo's zone
    with core.db.transaction() as session:
        by_name = {
            s.name: s
            for s in session.scalars(select(Supplier).where(Supplier.community_id == community_id))
        }
        for name, kind, county, contact, products in SUPPLIERS:
            supplier = by_name.get(name) or Supplier(community_id=community_id, name=name)
            supplier.kind, supplier.county = kind, county
            supplier.contact, supplier.products = contact, products
            session.add(supplier)
            by_name[name] = supplier
        session.flush()
        session.add_all(
            [
                InspectionVisit(
                    community_id=community_id,
                    supplier_id=by_name["井陉小米基地"].id,
                    visited_on=today - timedelta(days=20),
                    visitors="张伟、黄秀兰、赵德明",
                    findings="谷子在水泥场上晾晒，干净无霉；碾米机是去年新换的；包装袋上有生产日期。",
                    verdict=Verdict.RECOMMEND,
                    next_due=today + timedelta(days=160),
                    recorded_by="demo",
                ),
                InspectionVisit(
                    community_id=community_id,
                    supplier_id=by_name["正定蔬菜基地"].id,
                    visited_on=today - timedelta(days=9),
                    visitors="张伟、孙国华",
                    findings="大棚蔬菜新鲜，农药记录本齐全；但分拣场地简陋，夏天要求当天早上采摘当天送。",
                    verdict=Verdict.WITH_CONDITIONS,
                    next_due=today + timedelta(days=60),
                    recorded_by="demo",
                ),
            ]
        )
    return len(SUPPLIERS)
