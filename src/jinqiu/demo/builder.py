"""A realistic, deterministic demo dataset in the image of seed 002 (a district's 离退休干部党建 report).

`build()` fills an empty database: regions (区 → 镇/街道 → 社区/村), units (50-odd 区直机关, one unit
per street, 老年大学, 涉老组织, 国企, units abolished long ago), the party tree (党工委 → 党总支 →
党支部 → 党小组, with 功能型 and 临时 branches), retired cadres with their memberships, officer terms
and life events, and one demo account per persona, all sharing DEMO_PASSWORD.

Same seed, same data: every draw comes from one `random.Random(seed)` and one `Faker("zh_CN")` seeded
with it, in a fixed order; dates count back from 1 January of the current year.

Speed: persons, memberships and the trees go in with `bulk_create` in batches, never through the
services one by one; every derived value is computed as the services compute it (the ID number's
encryption, blind index and mask through `Person.set_id_number(idnumber.parse(...))`, the search
keys through `people.services.refresh_search_text`), and the membership rules hold by construction:
at most one active primary membership, only in a 建制 organisation or named as outside the system.
The trees get their materialised paths exactly as treebeard's `load_bulk(bulk_create=True)` gives
them, with siblings in `node_order_by` (name) order.
"""

from __future__ import annotations

import bisect
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta

from auditlog.context import disable_auditlog
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from faker import Faker

from jinqiu.accounts import services as account_services
from jinqiu.accounts.models import Role, User, UserRole
from jinqiu.core import idnumber
from jinqiu.demo.orglife import build_orglife
from jinqiu.organizations.models import (
    Establishment,
    Formation,
    LocationType,
    OrgKind,
    PartyOrg,
    Unit,
    UnitKind,
)
from jinqiu.people.models import (
    Education,
    Gender,
    Health,
    Living,
    Membership,
    MembershipKind,
    OfficerRole,
    OfficerTerm,
    Person,
    PersonStatus,
    RetirementType,
    Survivor,
)
from jinqiu.people.services import END_DEATH, END_MOVED, END_TRANSFER, refresh_search_text
from jinqiu.regions.models import Region, RegionLevel

DEMO_PASSWORD = "Jinqiu@2026"
BATCH_SIZE = 5000

Progress = Callable[[str], None] | None


class DemoError(Exception):
    """The demo cannot be built here (the database is not empty, or the scale is unknown)."""


# ---------------------------------------------------------------------------------------------------------
# Scales


@dataclass(frozen=True)
class Scale:
    cities: int  # 0: the district itself is the root region
    districts_per_city: int
    streets: int  # 镇/街道 per district
    communities: tuple[int, int]  # 社区/村 per street (low, high)
    persons: int  # per district
    pending: float  # party members whose relation is not yet known (待落实)
    outside: float  # relation kept outside the system (组织关系在原单位)
    participation: float  # active party members taking part in a functional branch
    light: bool = False  # province: fewer Faker calls per person


SCALES: dict[str, Scale] = {
    # Hidden: for tests. One street, three communities, all the personas.
    "tiny": Scale(cities=0, districts_per_city=1, streets=1, communities=(3, 3), persons=200,
                  pending=0.04, outside=0.04, participation=0.12),
    "district": Scale(cities=0, districts_per_city=1, streets=15, communities=(6, 8), persons=10_000,
                      pending=0.02, outside=0.03, participation=0.03),
    "city": Scale(cities=1, districts_per_city=8, streets=15, communities=(6, 8), persons=6_250,
                  pending=0.02, outside=0.03, participation=0.03),
    "province": Scale(cities=10, districts_per_city=10, streets=15, communities=(6, 8), persons=10_000,
                      pending=0.02, outside=0.03, participation=0.03, light=True),
}
PUBLIC_SCALES = ("district", "city", "province")

# ---------------------------------------------------------------------------------------------------------
# Names and reference lists

FIRST_DISTRICT = "金秋区"
FIRST_CITY = "金秋市"
FIRST_CODE = "320706"
FIRST_ABOLISHED_CODE = "320705"  # 新浦区, merged away in 2014: its code lives on in old ID cards

CITY_NAMES = ["金秋市", "银滩市", "丹霞市", "青松市", "白鹭市", "紫荆市", "碧水市", "红枫市", "云岭市", "玉泉市"]
DISTRICT_NAMES = ["金秋区", "丹桂区", "银杏区", "海棠区", "松涛区", "云台区", "东湖区", "南岭区", "青枫区", "翠屏区"]
DISTRICT_FIRST = "东西南北新青白红金银丹翠玉云海松兰梅竹桃柳枫杏荷"
DISTRICT_SECOND = "湖山江河城川阳岭溪泉州林港浦塘台"

# The first district's streets and towns, with seed 002's names; the first street's communities carry its brands.
FIRST_STREETS = [
    ("新浦街道", RegionLevel.STREET), ("新东街道", RegionLevel.STREET), ("新南街道", RegionLevel.STREET),
    ("浦西街道", RegionLevel.STREET), ("幸福路街道", RegionLevel.STREET), ("洪门街道", RegionLevel.STREET),
    ("路南街道", RegionLevel.STREET), ("朐阳街道", RegionLevel.STREET), ("海州街道", RegionLevel.STREET),
    ("宁海街道", RegionLevel.STREET), ("浦南镇", RegionLevel.TOWN), ("锦屏镇", RegionLevel.TOWN),
    ("新坝镇", RegionLevel.TOWN), ("板浦镇", RegionLevel.TOWN), ("云台镇", RegionLevel.TOWN),
]
FIRST_COMMUNITIES = {
    "新浦街道": ["苍梧社区", "星化社区", "机关社区", "西大岭社区", "玉龙社区", "建国社区", "民主社区"],
    "洪门街道": ["洪门社区"],
}
BRANDS = {
    "苍梧社区": ("苍梧人家小报", "社区老党员自编自印《苍梧人家》小报,每月一期,送到每户老党员家中。"),
    "星化社区": ("善行天下公益食堂", "老干部党员志愿者办公益食堂,为独居、空巢老人送餐。"),
    "洪门社区": ("老干部说唱团", "以说唱宣讲党的政策,进小区、进学校。"),
    "西大岭社区": ("老党员书画工作室", "老党员书画工作室常年开放,每周授课。"),
    "玉龙社区": ("书记工作室", "书记工作室每周二接待老党员,收集意见建议。"),
    "机关社区": ("馨悦夕阳", "\"馨悦夕阳\"品牌:关爱互助、结对帮扶。"),
}
STREET_POOL = [
    "新华街道", "朝阳街道", "人民路街道", "解放路街道", "东方街道", "南城街道", "北城街道", "西园街道",
    "和平街道", "光明街道", "建设街道", "振兴街道", "文化街道", "滨河街道", "开发区街道", "花园街道",
    "东湖街道", "龙山街道", "凤凰街道", "青年路街道", "中山街道", "长江路街道",
]
TOWN_POOL = [
    "东岗镇", "西湖镇", "南坪镇", "北集镇", "白塔镇", "石桥镇", "三河镇", "双店镇", "杨集镇", "黄川镇",
    "张店镇", "李埝镇", "柳河镇", "汤庙镇", "徐圩镇", "龙苴镇", "沙河镇", "高桥镇",
]
COMMUNITY_STEMS = [
    "建国", "解放", "民主", "人民", "朝阳", "东方", "新华", "和平", "幸福", "振兴", "光明", "东风", "盐河",
    "龙尾", "通灌", "巨龙", "海连", "瀛洲", "花园", "秀逸", "凤凰", "景秀", "金桥", "锦绣", "前进", "团结",
    "红旗", "育才", "文化", "劳动", "胜利", "向阳", "南极", "陇海", "郁州", "市化", "龙河", "玉带", "新城",
    "翠园", "欣园", "嘉和", "鸿运", "瑞祥", "福康", "永安", "长青", "松鹤", "清风", "明月", "望海", "桃园",
]
VILLAGE_STEMS = [
    "大庄", "前李", "后王", "小河", "东陈", "张圩", "刘庄", "孙圩", "朱沟", "杨集", "高庄", "马桥", "吴湾",
    "徐圩", "周庄", "胡集", "沈荡", "葛庄", "郑河", "蒋圩", "韩湾", "唐庄", "许楼", "何圩", "罗庄", "宋集",
    "谢湖", "曹庄", "梁圩", "董湾", "于庄", "袁集", "程圩", "陆庄", "潘湾", "魏集",
]
COMMUNITY_SUFFIXES = ["", "", "", "", "东", "西", "南", "北", "新村", "花园"]
VILLAGE_SURNAMES = "张王李刘陈杨黄赵周吴徐孙朱马胡郭林何高罗"
VILLAGE_PLACES = ["庄", "圩", "集", "湾", "河", "沟", "楼", "营", "墩", "岗"]
ROADS = [
    "建国路", "解放东路", "人民路", "海连中路", "通灌北路", "苍梧路", "朝阳东路", "盐河南路", "郁州北路",
    "瀛洲路", "新浦路", "龙河路", "振华路", "花果山大道", "巨龙南路", "建设西路", "市化路", "南极北路",
    "幸福南路", "陇海东路", "民主中路", "秀逸路", "凤凰大道", "玉带河路", "东盐河路",
]
ESTATES = [
    "苍梧小区", "富安小区", "嘉瑞园", "新城花园", "金桥小区", "建行宿舍", "机关宿舍", "教育局宿舍", "幸福家园",
    "锦绣花园", "东方新村", "和平里", "龙河新村", "海连新村", "朝阳小区", "民主新村", "人民小区", "花园新村",
]

# 区直机关 and friends: "{d}" is the district's full name. The first five are seed 002's branches.
AGENCY_TEMPLATES = [
    "{d}市场监督管理局", "{d}民政局", "{d}人民检察院", "{d}人民法院", "{d}教育局",
    "{d}委办公室", "{d}人大常委会办公室", "{d}人民政府办公室", "{d}政协办公室", "{d}纪委监委", "{d}委组织部",
    "{d}委宣传部", "{d}委统战部", "{d}委政法委员会", "{d}委老干部局", "{d}委党校", "{d}级机关工作委员会",
    "{d}发展和改革委员会", "{d}科学技术局", "{d}工业和信息化局", "{d}公安分局", "{d}司法局", "{d}财政局",
    "{d}人力资源和社会保障局", "{d}自然资源和规划分局", "{d}生态环境局", "{d}住房和城乡建设局",
    "{d}交通运输局", "{d}水利局", "{d}农业农村局", "{d}商务局", "{d}文化广电和旅游局", "{d}卫生健康委员会",
    "{d}退役军人事务局", "{d}应急管理局", "{d}审计局", "{d}统计局", "{d}医疗保障局", "{d}城市管理局",
    "{d}信访局", "{d}数据局", "{d}机关事务管理局", "{d}总工会", "共青团{d}委", "{d}妇女联合会",
    "{d}科学技术协会", "{d}残疾人联合会", "{d}工商业联合会", "{d}红十字会", "{d}档案馆", "{d}融媒体中心",
]
BRANCH_AGENCIES = 5
BUREAU_TEMPLATE = "{d}委老干部局"
INSTITUTION_TEMPLATES = ["{d}人民医院", "{d}中医院", "{d}第一中学", "{d}实验小学", "{d}疾病预防控制中心"]
SOE_TEMPLATES = ["{d}城市建设投资集团有限公司", "{d}水务有限公司", "{d}交通控股集团有限公司",
                 "{d}国有资产投资经营有限公司"]
OLD_UNIT_TEMPLATES = [
    ("{d}供销合作总社", "2014年区划调整时撤并,职能并入区商务局。"),
    ("{d}粮食局", "2010年机构改革撤销,职能并入区发改委。"),
]
# Units that appear on old rosters only as text.
OLD_UNIT_TEXTS = [
    "新浦区第二轻工业局", "国营连云港纺织厂", "新浦区物资局", "海州区棉麻公司", "新浦区乡镇企业局",
    "连云港市无线电二厂", "新浦区城市信用社", "海州区搬运公司", "新浦区商业局", "连云港市第一百货公司",
]
OUTSIDE_ORG_NAMES = [
    "连云港市级机关离退休干部党支部(组织关系在原单位)", "市交通运输局离退休干部党支部(组织关系在原单位)",
    "市供电公司离退休党支部(组织关系在原单位)", "市第一人民医院离退休党总支(组织关系在原单位)",
    "省属驻连企业离退休党支部(组织关系在原单位)", "市中级人民法院离退休干部党支部(组织关系在原单位)",
    "市教育局离退休教师党支部(组织关系在原单位)", "市税务局离退休干部党支部(组织关系在原单位)",
]
MOVED_TO = ["上海市闵行区", "南京市建邺区", "苏州市工业园区", "北京市海淀区", "深圳市南山区", "杭州市西湖区",
            "无锡市滨湖区", "徐州市云龙区"]
RELOCATED_TO = ["上海市浦东新区", "南京市鼓楼区", "海南省三亚市", "北京市朝阳区", "广州市天河区", "苏州市姑苏区"]
# ID region codes of people born elsewhere (some abolished long ago: 白下区, 下关区, 鼓楼区 of Xuzhou...).
OUTSIDER_CODES = ["320102", "320103", "320107", "320302", "320303", "321002", "320802", "321302", "370302",
                  "371302", "371102", "340104", "341302", "110105", "310104", "410102", "130102", "320111"]
NATIVE_PLACES = [("江苏连云港", 40), ("江苏赣榆", 8), ("江苏东海", 8), ("江苏灌云", 7), ("江苏灌南", 5),
                 ("江苏沭阳", 5), ("山东临沂", 6), ("山东日照", 4), ("山东郯城", 3), ("安徽宿州", 3),
                 ("江苏徐州", 4), ("江苏淮安", 4), ("江苏盐城", 3)]
ETHNICITIES = [("汉族", 97), ("回族", 2), ("满族", 0.5), ("蒙古族", 0.5)]
SKILLS = ["书画", "法律", "医疗", "宣讲", "摄影", "太极", "门球", "合唱", "舞蹈", "棋牌", "写作", "园艺",
          "计算机", "诗词", "器乐", "财会"]
RANKS = [("办事员", 3), ("科员", 30), ("副科级", 30), ("正科级", 24), ("副处级", 10), ("正处级", 3)]
POSITIONS = {  # by the kind of original unit, then rank
    "agency": {"办事员": ["办事员"], "科员": ["科员", "主任科员", "会计"], "副科级": ["副科长", "副主任"],
               "正科级": ["科长", "主任"], "副处级": ["副局长", "副主任", "调研员"], "正处级": ["局长", "主任", "巡视员"]},
    "institution": {"办事员": ["技术员"], "科员": ["教师", "医师", "护士长", "技术员", "会计"],
                    "副科级": ["副校长", "副主任医师", "教导主任"], "正科级": ["校长", "主任医师", "科主任"],
                    "副处级": ["副院长", "副校长"], "正处级": ["院长", "校长"]},
    "soe": {"办事员": ["技术员"], "科员": ["技术员", "会计", "经济师"], "副科级": ["副经理", "副厂长"],
            "正科级": ["经理", "厂长"], "副处级": ["副总经理"], "正处级": ["总经理", "党委书记"]},
    "town": {"办事员": ["办事员"], "科员": ["科员", "干事", "会计"], "副科级": ["副镇长", "副主任", "人大副主席"],
             "正科级": ["镇长", "街道办主任", "党委副书记"], "副处级": ["党委书记"], "正处级": ["党委书记"]},
}
MALE_GIVEN = ["振华", "国庆", "建民", "德明", "树林", "文斌", "志刚", "庆余", "保国", "永清", "立新", "卫东",
              "学军", "守信", "广义", "长友", "玉山", "宝林", "兴华", "跃进", "援朝", "胜利", "和平", "家富",
              "传海", "克俭", "士杰", "荣生", "福臣", "德胜", "继光", "怀仁", "秉义", "金城", "维新", "正海"]
FEMALE_GIVEN = ["桂兰", "秀珍", "淑芬", "玉珍", "凤英", "素珍", "兰芳", "爱华", "红英", "美华", "晓红", "丽萍",
                "素梅", "翠英", "月娥", "金花", "巧云", "爱萍", "玉洁", "慧敏", "秀英", "淑贞", "冬梅", "春兰"]
MOBILE_PREFIXES = ["130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "153",
                   "155", "157", "158", "159", "177", "180", "181", "182", "187", "188", "189", "199"]
# Age bands for 退休 cadres: more 60-79, fewer 90+ (lower age, upper age inclusive, weight).
AGE_BANDS = [(60, 64, 19), (65, 69, 20), (70, 74, 19), (75, 79, 16), (80, 84, 12), (85, 89, 9),
             (90, 94, 3), (95, 99, 0.7)]
LIXIU_SHARE = 0.03
GROUP_NAMES = ["第一党小组", "第二党小组", "第三党小组"]


# ---------------------------------------------------------------------------------------------------------
# Helpers


class Node:
    """An unsaved tree node and its children, materialised by `_save_tree`."""

    __slots__ = ("children", "obj")

    def __init__(self, obj) -> None:
        self.obj = obj
        self.children: list[Node] = []

    def add(self, obj) -> Node:
        child = Node(obj)
        self.children.append(child)
        return child


def _materialise(model, node: Node, path: str, depth: int, out: list) -> None:
    node.obj.path = path
    node.obj.depth = depth
    node.obj.numchild = len(node.children)
    out.append(node.obj)
    # Siblings in node_order_by order, numbered from 1: what add_child with node_order_by would have given.
    for position, child in enumerate(sorted(node.children, key=lambda n: n.obj.name), start=1):
        _materialise(model, child, model._get_path(path, depth + 1, position), depth + 1, out)


def _save_tree(model, roots: list[Node], first_root_position: int = 1) -> None:
    """Give paths as treebeard's load_bulk(bulk_create=True) would, then bulk create; roots sorted by name."""
    out: list = []
    for position, root in enumerate(sorted(roots, key=lambda n: n.obj.name), start=first_root_position):
        _materialise(model, root, model._get_path(None, 1, position), 1, out)
    model.objects.bulk_create(out, batch_size=1000)


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _years_after(day: date, years: int) -> date:
    return _years_before(day, -years)


def _clamp(day: date, low: date, high: date) -> date:
    return max(low, min(day, high))


class Draw:
    """All randomness of one build: a Random and a Faker, both seeded, drawn from in a fixed order."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.fake = Faker("zh_CN")
        self.fake.seed_instance(seed)

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def weighted(self, pairs):
        values = [v for v, _w in pairs]
        weights = [w for _v, w in pairs]
        return self.rng.choices(values, weights=weights)[0]

    def day_between(self, low: date, high: date) -> date:
        if high <= low:
            return low
        return low + timedelta(days=self.rng.randrange((high - low).days + 1))

    def mobile(self) -> str:
        return self.rng.choice(MOBILE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"

    def landline(self) -> str:
        return f"0518{self.rng.randrange(8, 9)}{self.rng.randrange(10**7):07d}"

    def given_name(self, gender: str) -> str:
        if self.chance(0.5):
            return self.rng.choice(MALE_GIVEN if gender == Gender.MALE else FEMALE_GIVEN)
        return self.fake.first_name_male() if gender == Gender.MALE else self.fake.first_name_female()

    def person_name(self, gender: str) -> tuple[str, str]:
        surname = self.fake.last_name()
        return surname, surname + self.given_name(gender)

    def other_name(self, gender: str | None = None) -> str:
        gender = gender or self.rng.choice([Gender.MALE, Gender.FEMALE])
        first = self.fake.first_name_male() if gender == Gender.MALE else self.fake.first_name_female()
        return self.fake.last_name() + first


# ---------------------------------------------------------------------------------------------------------
# The plan of one district


@dataclass
class Community:
    region: Region
    street_index: int
    weight: float
    village: bool
    roads: list[str]
    estates: list[str]
    branch: PartyOrg | None = None


@dataclass
class District:
    name: str
    code: str
    abolished_code: str
    region: Region
    streets: list[Region] = field(default_factory=list)
    communities: list[Community] = field(default_factory=list)
    cum_weights: list[float] = field(default_factory=list)
    street_units: list[Unit] = field(default_factory=list)
    bureau: Unit | None = None
    agencies: list[Unit] = field(default_factory=list)
    institutions: list[Unit] = field(default_factory=list)
    soes: list[Unit] = field(default_factory=list)
    old_units: list[Unit] = field(default_factory=list)
    senior_units: list[Unit] = field(default_factory=list)
    root_org: PartyOrg | None = None
    street_orgs: list[PartyOrg] = field(default_factory=list)
    agency_branches: dict[int, PartyOrg] = field(default_factory=dict)  # unit pk → branch
    functional: list[PartyOrg] = field(default_factory=list)  # district-wide functional branches
    functional_weights: list[float] = field(default_factory=list)
    street_functional: dict[int, PartyOrg] = field(default_factory=dict)  # street index → branch
    functional_groups: list[PartyOrg] = field(default_factory=list)  # groups under the senior university's
    temporary: PartyOrg | None = None
    groups: dict[int, list[PartyOrg]] = field(default_factory=dict)  # branch pk → its 党小组
    # Bounded picks kept while persons stream by: officers, the personas.
    candidates: dict[int, list[Person]] = field(default_factory=dict)  # org pk → a few members
    participants: dict[int, int] = field(default_factory=dict)  # org pk → count
    pair_candidates: list[Person] = field(default_factory=list)


@dataclass
class Counter:
    persons: int = 0
    party_members: int = 0
    memberships: int = 0
    participating: int = 0
    pending: int = 0
    deceased: int = 0
    moved: int = 0
    survivors: int = 0
    officer_terms: int = 0


# ---------------------------------------------------------------------------------------------------------
# Entry point


def build(scale: str = "district", seed: int = 1, progress: Progress = None) -> dict:
    """Build the demo into an empty database and return the accounts and counts."""
    if scale not in SCALES:
        raise DemoError(f"Unknown scale {scale!r}: choose one of {', '.join(PUBLIC_SCALES)}.")
    _require_empty()
    started = time.monotonic()
    say = progress or (lambda _message: None)
    builder = _Builder(SCALES[scale], seed, say)
    with disable_auditlog():
        if scale == "province":
            builder.run()  # one transaction per district: bounded memory and journal
        else:
            with transaction.atomic():
                builder.run()
    result = builder.result()
    result["counts"].update(build_orglife(seed=seed, progress=say, scale=scale))
    result.update(scale=scale, seed=seed, seconds=round(time.monotonic() - started, 1))
    return result


def _require_empty() -> None:
    persons = Person.objects.count()
    if persons:
        raise DemoError(
            f"The database already holds {persons} persons: the demo is only built into an empty database "
            "(start from a fresh data folder, or flush it first)."
        )
    for model, label in ((Region, "regions"), (PartyOrg, "party organisations"), (Unit, "units")):
        if model.objects.exists():
            raise DemoError(f"The database already holds {label}: the demo is only built into an empty database.")
    taken = list(User.objects.filter(username__in=[a[0] for a in ACCOUNTS]).values_list("username", flat=True))
    if taken:
        raise DemoError(f"Demo user names are already taken: {', '.join(sorted(taken))}.")


ACCOUNTS = [
    ("bureau", Role.BUREAU), ("street", Role.STREET), ("secretary", Role.SECRETARY), ("neighbor", Role.SECRETARY),
    ("pair", Role.PAIR_CONTACT), ("member", Role.MEMBER), ("leader", Role.LEADER), ("sysadmin", Role.SYSADMIN),
    ("secadmin", Role.SECADMIN), ("auditor", Role.AUDITOR),
]


class _Builder:
    def __init__(self, scale: Scale, seed: int, say: Callable[[str], None]) -> None:
        self.scale = scale
        self.draw = Draw(seed)
        self.say = say
        self.as_of = date(timezone.localdate().year, 1, 1)
        self.count = Counter()
        self.city_roots: list[Region] = []
        self.district_roots: list[PartyOrg] = []
        self.first: District | None = None
        self.accounts: list[tuple[str, str, str]] = []
        self.outsider_used: set[int] = set()
        self.used_units: set[str] = set()

    # -- the plan ---------------------------------------------------------------------------------------

    def _district_names(self) -> list[tuple[str, list[tuple[str, str, str]]]]:
        """[(city name, [(district name, code, abolished code)])]; city name "" for a lone district."""
        s = self.scale
        if s.cities == 0:
            return [("", [(FIRST_DISTRICT, FIRST_CODE, FIRST_ABOLISHED_CODE)])]
        rng = self.draw.rng
        seen = {FIRST_DISTRICT}
        extra = [a + b + "区" for a in DISTRICT_FIRST for b in DISTRICT_SECOND]
        rng.shuffle(extra)
        extra = [n for n in extra if n not in DISTRICT_NAMES]
        fixed = list(DISTRICT_NAMES)
        plan = []
        for c in range(s.cities):
            prefix = f"32{7 + c:02d}"
            districts = []
            for k in range(s.districts_per_city):
                if c == 0 and k < len(fixed):
                    name = fixed[k]
                else:
                    name = extra.pop()
                    while name in seen:
                        name = extra.pop()
                seen.add(name)
                districts.append((name, f"{prefix}{6 + 2 * k:02d}", f"{prefix}{5 + 2 * k:02d}"))
            plan.append((CITY_NAMES[c], districts))
        return plan

    def run(self) -> None:
        plan = self._district_names()
        # Roots are placed by name among all roots of the build, as add_root with node_order_by would.
        city_positions = {n: i for i, n in enumerate(sorted(c for c, _ds in plan if c), start=1)}
        roots = sorted(_root_org_name(name) for _c, ds in plan for name, _code, _old in ds)
        self.org_root_positions = {n: i for i, n in enumerate(roots, start=1)}
        for c, (city_name, districts) in enumerate(plan):
            city_node = None
            if city_name:
                city_node = Node(Region(name=city_name, code=f"32{7 + c:02d}00", level=RegionLevel.CITY))
            district_specs = []
            for name, code, abolished in districts:
                district_region = Region(name=name, code=code, level=RegionLevel.DISTRICT)
                node = city_node.add(district_region) if city_node else Node(district_region)
                district_specs.append((node, name, code, abolished))
            if city_node is not None:
                # The city root and its districts first; each district's subtree is filled below.
                self._save_city(city_node, city_positions[city_name])
            for node, name, code, abolished in district_specs:
                self.say(f"{city_name}{name}: regions, units and organisations")
                with transaction.atomic():
                    self._build_district(node, name, code, abolished, lone=city_node is None)
        with transaction.atomic():
            self._accounts()

    def _save_city(self, city_node: Node, position: int) -> None:
        _save_tree(Region, [city_node], first_root_position=position)
        self.city_roots.append(city_node.obj)

    # -- one district ------------------------------------------------------------------------------------

    def _build_district(self, node: Node, name: str, code: str, abolished: str, lone: bool) -> None:
        rng, s = self.draw.rng, self.scale
        first = self.first is None
        # Streets and communities.
        if first:
            streets = FIRST_STREETS[: s.streets]
        else:
            n_towns = 5 * s.streets // 15
            streets = ([(n, RegionLevel.STREET) for n in rng.sample(STREET_POOL, s.streets - n_towns)]
                       + [(n, RegionLevel.TOWN) for n in rng.sample(TOWN_POOL, n_towns)])
        street_nodes = []
        community_plan: list[tuple[Node, int, bool]] = []
        used_names: set[str] = set()
        for i, (street_name, level) in enumerate(streets):
            street_node = node.add(Region(name=street_name, code=f"{code}{i + 1:03d}", level=level))
            street_nodes.append(street_node)
            n = rng.randint(*s.communities)
            names = list(FIRST_COMMUNITIES.get(street_name, [])) if first else []
            town = level == RegionLevel.TOWN
            while len(names) < n:
                candidate = self._community_name(village=town and len(names) >= 1)
                if candidate not in used_names and candidate not in names:
                    names.append(candidate)
            names = names[:n]
            used_names.update(names)
            for j, community_name in enumerate(names):
                village = community_name.endswith("村")
                number = 200 + j + 1 if village else j + 1
                cnode = street_node.add(Region(
                    name=community_name, code=f"{code}{i + 1:03d}{number:03d}",
                    level=RegionLevel.VILLAGE if village else RegionLevel.COMMUNITY,
                ))
                community_plan.append((cnode, i, village))
        if lone:
            _save_tree(Region, [node])
        else:
            # The district itself is saved with its city; save its subtree under it.
            out: list = []
            for position, child in enumerate(sorted(node.children, key=lambda n: n.obj.name), start=1):
                _materialise(Region, child, Region._get_path(node.obj.path, node.obj.depth + 1, position),
                             node.obj.depth + 1, out)
            Region.objects.bulk_create(out, batch_size=1000)
            Region.objects.filter(pk=node.obj.pk).update(numchild=len(node.children))
        d = District(name=name, code=code, abolished_code=abolished, region=node.obj,
                     streets=[sn.obj for sn in street_nodes])
        for cnode, street_index, village in community_plan:
            d.communities.append(Community(
                region=cnode.obj, street_index=street_index, weight=0.55 if village else rng.uniform(0.8, 1.5),
                village=village, roads=rng.sample(ROADS, 3), estates=rng.sample(ESTATES, 3),
            ))
        total = 0.0
        for community in d.communities:
            total += community.weight
            d.cum_weights.append(total)
        self._units(d)
        self._orgs(d)
        if first:
            self.first = d
        self._persons(d)
        self._officers(d)

    def _community_name(self, village: bool) -> str:
        rng = self.draw.rng
        if village:
            if rng.random() < 0.5:
                return rng.choice(VILLAGE_STEMS) + "村"
            return rng.choice(VILLAGE_SURNAMES) + rng.choice(VILLAGE_PLACES) + "村"
        return rng.choice(COMMUNITY_STEMS) + rng.choice(COMMUNITY_SUFFIXES) + "社区"

    def _units(self, d: District) -> None:
        rng = self.draw.rng
        units: list[Unit] = []

        def unit(name: str, kind: str, region: Region, **extra) -> Unit:
            u = Unit(name=name, kind=kind, region=region, **extra)
            units.append(u)
            return u

        for template in AGENCY_TEMPLATES:
            u = unit(template.format(d=d.name), UnitKind.AGENCY, d.region)
            d.agencies.append(u)
            if template == BUREAU_TEMPLATE:
                d.bureau = u
        for template in INSTITUTION_TEMPLATES:
            d.institutions.append(unit(template.format(d=d.name), UnitKind.INSTITUTION, d.region))
        for template in SOE_TEMPLATES[: 3 + rng.randrange(2)]:
            d.soes.append(unit(template.format(d=d.name), UnitKind.STATE_ENTERPRISE, d.region))
        for template, note in OLD_UNIT_TEMPLATES:
            d.old_units.append(unit(template.format(d=d.name), UnitKind.AGENCY, d.region, is_active=False,
                                    note=note))
        for street in d.streets:
            suffix = "办事处" if street.level == RegionLevel.STREET else "人民政府"
            d.street_units.append(unit(f"{d.name}{street.name}{suffix}", UnitKind.TOWN, street))
        Unit.objects.bulk_create(units)
        seniors = [
            Unit(name=f"{d.name}老年大学", kind=UnitKind.SENIOR_UNIVERSITY, region=d.region, parent=d.bureau),
            Unit(name=f"{d.name}老年协会", kind=UnitKind.SENIOR_ORG, region=d.region),
            Unit(name=f"{d.name}关心下一代工作委员会", kind=UnitKind.SENIOR_ORG, region=d.region, parent=d.bureau),
        ]
        Unit.objects.bulk_create(seniors)
        d.senior_units = seniors

    def _orgs(self, d: District) -> None:
        draw, rng = self.draw, self.draw.rng
        as_of = self.as_of

        def org(name, kind, location, *, unit=None, region=None, establishment=Establishment.FORMAL,
                formation="", founded=None, brand="", features=""):
            return PartyOrg(
                name=name, kind=kind, establishment=establishment, formation=formation, location_type=location,
                unit=unit, region=region, collects_dues=establishment == Establishment.FORMAL, brand=brand,
                features=features,
                founded_on=founded or draw.day_between(date(2006, 1, 1), date(2016, 12, 31)),
            )

        root = Node(org(_root_org_name(d.name), OrgKind.WORKING_COMMITTEE, LocationType.AGENCY,
                        unit=d.bureau, region=d.region, founded=date(2004, 7, 1)))
        street_nodes = []
        for i, street in enumerate(d.streets):
            street_nodes.append(root.add(org(
                f"{street.name}离退休干部党总支", OrgKind.GENERAL_BRANCH, LocationType.TOWN,
                unit=d.street_units[i], region=street, founded=draw.day_between(date(2005, 1, 1), date(2010, 12, 31)),
            )))
        branch_nodes = []
        group_nodes: list[tuple[int, Node]] = []
        for ci, community in enumerate(d.communities):
            brand, features = BRANDS.get(community.region.name, ("", ""))
            bnode = street_nodes[community.street_index].add(org(
                f"{community.region.name}离退休干部党支部", OrgKind.BRANCH, LocationType.COMMUNITY,
                unit=d.street_units[community.street_index], region=community.region, brand=brand,
                features=features,
            ))
            branch_nodes.append(bnode)
            if rng.random() < 0.4:
                for group_name in GROUP_NAMES[: rng.randint(2, 3)]:
                    group_nodes.append((ci, bnode.add(org(
                        group_name, OrgKind.GROUP, LocationType.COMMUNITY, unit=bnode.obj.unit,
                        region=community.region, founded=bnode.obj.founded_on,
                    ))))
        agency_nodes = []
        for agency in d.agencies[:BRANCH_AGENCIES]:
            agency_nodes.append((agency, root.add(org(
                f"{agency.name}离退休干部党支部", OrgKind.BRANCH, LocationType.AGENCY, unit=agency, region=d.region,
                founded=draw.day_between(date(2017, 1, 1), date(2021, 12, 31)),
            ))))
        univ, assoc, guangong = d.senior_units
        functional_specs = [
            (f"{d.name}老年大学功能型党支部", Formation.STANDALONE, LocationType.SENIOR_UNIVERSITY, univ, 35),
            (f"{d.name}老年协会功能型党支部", Formation.ATTACHED, LocationType.SENIOR_ORG, assoc, 20),
            (f"{d.name}关工委五老宣讲团功能型党支部", Formation.JOINT, LocationType.SENIOR_ORG, guangong, 15),
            (f"{d.name}老干部书画院功能型党支部", Formation.ATTACHED, LocationType.SENIOR_ORG, assoc, 10),
        ]
        functional_nodes = []
        for name, formation, location, unit, weight in functional_specs:
            functional_nodes.append((weight, root.add(org(
                name, OrgKind.BRANCH, location, unit=unit, region=d.region, establishment=Establishment.FUNCTIONAL,
                formation=formation, founded=draw.day_between(date(2017, 1, 1), date(2022, 12, 31)),
            ))))
        univ_node = functional_nodes[0][1]
        fgroup_nodes = [univ_node.add(org(
            name, OrgKind.GROUP, LocationType.SENIOR_UNIVERSITY, unit=univ, region=d.region,
            establishment=Establishment.FUNCTIONAL, formation=Formation.ATTACHED, founded=univ_node.obj.founded_on,
        )) for name in ("书画班功能型党小组", "太极拳班功能型党小组")]
        street_functional_nodes = []
        for i in (0, 5):
            if i >= len(d.streets):
                continue
            street = d.streets[i]
            name = "洪门社区老干部说唱团功能型党支部" if street.name == "洪门街道" else f"{street.name}门球队功能型党支部"
            street_functional_nodes.append((i, street_nodes[i].add(org(
                name, OrgKind.BRANCH, LocationType.TOWN, unit=d.street_units[i], region=street,
                establishment=Establishment.FUNCTIONAL, formation=Formation.JOINT,
                founded=draw.day_between(date(2018, 1, 1), date(2023, 12, 31)),
            ))))
        temporary_node = root.add(org(
            f"{d.name}离退休干部赴沂蒙老区参观考察临时党支部", OrgKind.BRANCH, LocationType.SENIOR_ORG,
            unit=d.bureau, region=d.region, establishment=Establishment.TEMPORARY, formation=Formation.STANDALONE,
            founded=as_of - timedelta(days=60 + rng.randrange(90)),
        ))
        _save_tree(PartyOrg, [root], first_root_position=self.org_root_positions[root.obj.name])
        d.root_org = root.obj
        self.district_roots.append(root.obj)
        d.street_orgs = [n.obj for n in street_nodes]
        for community, bnode in zip(d.communities, branch_nodes, strict=True):
            community.branch = bnode.obj
        for ci, gnode in group_nodes:
            d.groups.setdefault(d.communities[ci].branch.pk, []).append(gnode.obj)
        d.agency_branches = {agency.pk: n.obj for agency, n in agency_nodes}
        d.functional = [n.obj for _w, n in functional_nodes]
        d.functional_weights = [float(w) for w, _n in functional_nodes]
        d.functional_groups = [n.obj for n in fgroup_nodes]
        d.street_functional = {i: n.obj for i, n in street_functional_nodes}
        d.temporary = temporary_node.obj

    # -- persons ------------------------------------------------------------------------------------------

    def _persons(self, d: District) -> None:
        local_used: set[int] = set()
        total = self.scale.persons
        done = 0
        for persons, memberships, survivors in self._batches(d, local_used):
            Person.objects.bulk_create(persons, batch_size=1000)
            Membership.objects.bulk_create(memberships, batch_size=2000)
            Survivor.objects.bulk_create(survivors, batch_size=1000)
            done += len(persons)
            self.say(f"{d.name}: {done}/{total} persons")

    def _batches(self, d: District, local_used: set[int]) -> Iterator[tuple[list, list, list]]:
        persons: list[Person] = []
        memberships: list[Membership] = []
        survivors: list[Survivor] = []
        for _i in range(self.scale.persons):
            person, person_memberships, person_survivors = self._person(d, local_used)
            persons.append(person)
            memberships.extend(person_memberships)
            survivors.extend(person_survivors)
            if len(persons) >= BATCH_SIZE:
                yield persons, memberships, survivors
                persons, memberships, survivors = [], [], []
        if persons:
            yield persons, memberships, survivors

    def _birth(self, lixiu: bool) -> date:
        rng, as_of = self.draw.rng, self.as_of
        if lixiu:
            # 离休: in the revolution before October 1949, so born before 1932; the oldest are about 101.
            year = rng.randint(max(1922, as_of.year - 101), 1931)
        else:
            low, high, _w = self.draw.weighted([((a, b, w), w) for a, b, w in AGE_BANDS])
            age = rng.randint(low, high)
            year = as_of.year - age - 1
        return date(year, 1, 1) + timedelta(days=rng.randrange(365))

    def _id_number(self, d: District, birth: date, gender: str, local_used: set[int]) -> idnumber.IdInfo:
        rng = self.draw.rng
        era15 = birth.year < 1940 and rng.random() < 0.2
        r = rng.random()
        if era15 or r < 0.68:
            code, used = d.code, local_used
        elif r < 0.85:
            code, used = d.abolished_code, local_used
        else:
            code, used = rng.choice(OUTSIDER_CODES), self.outsider_used
        while True:
            sequence = rng.randrange(1000)
            if era15:
                # An old 15-digit card: the number is converted to 18 characters on entry, as parse() does.
                if (sequence % 2 == 1) != (gender == Gender.MALE):
                    sequence = sequence + 1 if sequence % 2 == 0 else sequence - 1
                raw = f"{code}{birth:%y%m%d}{sequence:03d}"
                key = int(f"{code}{birth:%Y%m%d}{sequence:03d}")
            else:
                raw = idnumber.generate(region_code=code, birth_date=birth, sequence=sequence, gender=gender)
                key = int(raw[:17])
            if key not in used:
                used.add(key)
                return idnumber.parse(raw)

    def _person(self, d: District, local_used: set[int]) -> tuple[Person, list[Membership], list[Survivor]]:
        draw, rng, as_of, s = self.draw, self.draw.rng, self.as_of, self.scale
        gender = Gender.MALE if rng.random() < 0.62 else Gender.FEMALE
        lixiu = rng.random() < LIXIU_SHARE
        birth = self._birth(lixiu)
        info = self._id_number(d, birth, gender, local_used)
        surname, name = draw.person_name(info.gender)
        age = as_of.year - info.birth_date.year - 1
        community = d.communities[_pick(d.cum_weights, rng.random() * d.cum_weights[-1])]
        street_index = community.street_index

        person = Person(name=name, gender=info.gender, birth_date=info.birth_date)
        person.set_id_number(info)
        refresh_search_text(person, info.number)
        person.ethnicity = draw.weighted(ETHNICITIES)
        person.native_place = draw.weighted(NATIVE_PLACES)
        person.education = self._education(info.birth_date.year)

        # Work: original unit (linked for most, text for old units), rank, retirement.
        self._work(person, d, street_index, lixiu)
        if lixiu:
            person.retirement_type = RetirementType.LIXIU
            person.retirement_date = _clamp(
                _years_after(info.birth_date, 60 if info.gender == Gender.MALE else 55)
                + timedelta(days=rng.randrange(200)), date(1982, 1, 1), date(1995, 12, 31))
            person.treatment = rng.choice(["享受副处级待遇", "享受正处级待遇", "享受副厅级医疗待遇"])
        else:
            person.retirement_type = RetirementType.TUIXIU
            retire_age = 60 if info.gender == Gender.MALE or rng.random() < 0.3 else 55
            person.retirement_date = min(_years_after(info.birth_date, retire_age), as_of - timedelta(days=1))
            if person.rank in ("正科级", "副处级", "正处级") and rng.random() < 0.4:
                person.treatment = f"享受{person.rank}待遇"

        # Home.
        relocated = rng.random() < 0.02
        # 异地安置: settled elsewhere, still on their community's register (the community keeps their file).
        person.region = community.region
        if relocated:
            person.relocated = True
            person.relocated_place = rng.choice(RELOCATED_TO)
            person.address = f"{person.relocated_place}{rng.choice(ROADS)}{rng.randint(1, 300)}号"
        else:
            if community.village:
                person.address = f"{community.region.name}{rng.randint(1, 12)}组{rng.randint(1, 99)}号"
            else:
                person.address = (f"{rng.choice(community.roads)}{rng.randint(1, 300)}号"
                                  f"{rng.choice(community.estates)}{rng.randint(1, 30)}幢"
                                  f"{rng.randint(1, 4)}单元{rng.randint(1, 6)}0{rng.randint(1, 4)}室")
        if age < 90 or rng.random() < 0.6:
            person.mobile = draw.mobile()
        if rng.random() < 0.35:
            person.phone = draw.landline()
        relation = rng.choice(["儿子", "女儿", "儿子", "女儿", "配偶", "侄子"])
        contact_gender = Gender.MALE if relation in ("儿子", "侄子") else Gender.FEMALE
        if relation == "配偶":
            contact_gender = Gender.FEMALE if info.gender == Gender.MALE else Gender.MALE
        if relation in ("儿子", "女儿"):
            contact = surname + (draw.given_name(contact_gender) if s.light else
                                 (draw.fake.first_name_male() if contact_gender == Gender.MALE
                                  else draw.fake.first_name_female()))
        else:
            contact = draw.other_name(contact_gender) if not s.light else surname + draw.given_name(contact_gender)
        person.emergency_contact = f"{contact}({relation})"
        person.emergency_phone = draw.mobile()

        # Life: living, health, hardship, skills.
        old = age >= 80
        person.living = draw.weighted([
            (Living.ALONE, 12 if old else 6), (Living.EMPTY_NEST, 22), (Living.WITH_SPOUSE, 30 if old else 40),
            (Living.WITH_CHILDREN, 28 if old else 27), (Living.CARE_HOME, 8 if old else 2),
        ])
        person.health = draw.weighted([
            (Health.GOOD, 20 if old else 42), (Health.FAIR, 40), (Health.POOR, 25 if old else 13),
            (Health.BEDRIDDEN, 8 if old else 2), (Health.DISABLED, 7 if old else 1),
        ])
        person.hardship = rng.random() < 0.01
        if rng.random() < 0.45:
            person.skills = "、".join(rng.sample(SKILLS, rng.choice([1, 1, 2, 2, 3])))

        # Party.
        party = lixiu and rng.random() < 0.97 or (not lixiu and rng.random() < 0.69)
        if party:
            person.is_party_member = True
            if lixiu:
                low = max(_years_after(info.birth_date, 15), date(1937, 7, 7))
                person.joined_party_on = draw.day_between(low, max(low, date(1949, 9, 30)))
            else:
                low = _years_after(info.birth_date, 18)
                high = min(_years_after(info.birth_date, 45), person.retirement_date)
                person.joined_party_on = draw.day_between(low, max(low, high))
            person.full_member_on = _years_after(person.joined_party_on, 1)

        # Life events.
        end_cap = as_of
        p_death = 0.012 + (0.05 if age >= 85 else 0) + (0.08 if age >= 95 else 0)
        if rng.random() < p_death:
            person.status = PersonStatus.DECEASED
            person.died_on = draw.day_between(as_of - timedelta(days=3 * 365), as_of - timedelta(days=1))
            end_cap = person.died_on
        elif rng.random() < 0.01:
            person.status = PersonStatus.MOVED
            person.moved_on = draw.day_between(as_of - timedelta(days=4 * 365), as_of - timedelta(days=1))
            person.moved_to = rng.choice(MOVED_TO)
            end_cap = person.moved_on
        if person.retirement_date and person.retirement_date > end_cap:
            person.retirement_date = end_cap

        memberships = self._memberships(d, person, community, end_cap) if party else []
        survivors = []
        if person.status == PersonStatus.DECEASED and rng.random() < 0.6:
            spouse = rng.random() < 0.6
            survivor_gender = (Gender.FEMALE if info.gender == Gender.MALE else Gender.MALE) if spouse else None
            survivors.append(Survivor(
                person=person, name=draw.other_name(survivor_gender), relation="配偶" if spouse else "子女",
                phone=draw.mobile(), address=person.address if spouse else "",
            ))
        self._tally(person, memberships, survivors)
        self._remember(d, person, community, memberships, age)
        return person, memberships, survivors

    def _education(self, year: int) -> str:
        if year < 1940:
            pairs = [(Education.PRIMARY, 25), (Education.JUNIOR, 30), (Education.SENIOR, 20),
                     (Education.SECONDARY, 15), (Education.COLLEGE, 7), (Education.BACHELOR, 3)]
        elif year < 1955:
            pairs = [(Education.JUNIOR, 20), (Education.SENIOR, 30), (Education.SECONDARY, 20),
                     (Education.COLLEGE, 18), (Education.BACHELOR, 12)]
        else:
            pairs = [(Education.SENIOR, 15), (Education.SECONDARY, 15), (Education.COLLEGE, 30),
                     (Education.BACHELOR, 35), (Education.POSTGRAD, 5)]
        return self.draw.weighted(pairs)

    def _work(self, person: Person, d: District, street_index: int, lixiu: bool) -> None:
        draw, rng = self.draw, self.draw.rng
        kind = draw.weighted([("agency", 45), ("institution", 14), ("soe", 8), ("town", 15), ("old", 5),
                              ("text", 9), ("senior", 1), ("city", 3)])
        linked: Unit | None = None
        if kind == "agency":
            linked = rng.choice(d.agencies)
        elif kind == "institution":
            linked = rng.choice(d.institutions)
        elif kind == "soe":
            linked = rng.choice(d.soes)
        elif kind == "town":
            linked = d.street_units[street_index] if rng.random() < 0.7 else rng.choice(d.street_units)
        elif kind == "old":
            linked = rng.choice(d.old_units)
        elif kind == "senior":
            linked = d.senior_units[0]
        if linked is not None:
            person.original_unit = linked
            person.original_unit_name = linked.name
        elif kind == "text":
            person.original_unit_name = rng.choice(OLD_UNIT_TEXTS)
        else:
            person.original_unit_name = rng.choice(["连云港市财政局", "连云港市教育局", "连云港市供电公司",
                                                    "连云港市第一人民医院", "连云港市交通运输局"])
        # 管理服务单位: the original unit while it exists; otherwise the bureau.
        person.service_unit = linked if linked is not None and linked.is_active else d.bureau
        rank = draw.weighted(RANKS)
        if lixiu and rank in ("办事员", "科员"):
            rank = "副科级"
        person.rank = rank
        positions = POSITIONS.get(kind if kind in POSITIONS else "agency", POSITIONS["agency"])
        person.original_position = rng.choice(positions[rank])

    def _memberships(self, d: District, person: Person, community: Community, end_cap: date) -> list[Membership]:
        draw, rng, s = self.draw, self.draw.rng, self.scale
        ended = person.status != PersonStatus.ACTIVE
        reason = END_DEATH if person.status == PersonStatus.DECEASED else END_MOVED
        joined = person.full_member_on or person.joined_party_on
        result: list[Membership] = []
        r = rng.random()
        agency_branch = d.agency_branches.get(person.original_unit.pk) if person.original_unit else None
        org: PartyOrg | None = None
        outside = ""
        if r < s.pending:
            pass  # 待落实: a party member whose membership relation is not yet known
        elif r < s.pending + s.outside or (person.relocated and rng.random() < 0.6):
            outside = rng.choice(OUTSIDE_ORG_NAMES)
        elif agency_branch is not None and (person.relocated or rng.random() < 0.45):
            org = agency_branch
        elif not person.relocated:
            org = community.branch
            groups = d.groups.get(org.pk)
            if groups and rng.random() < 0.85:
                org = rng.choice(groups)
        else:
            outside = rng.choice(OUTSIDE_ORG_NAMES)
        if org is None and not outside:
            return result
        if org is not None:
            low = max(org.founded_on or joined, joined)
            start = draw.day_between(max(low, person.retirement_date or low), max(low, end_cap - timedelta(days=30)))
        else:
            start = draw.day_between(joined, max(joined, person.retirement_date or joined))
        start = min(start, end_cap)
        if org is not None and org.location_type == LocationType.COMMUNITY and rng.random() < 0.35 and start > joined:
            # History: the relation was at the original unit until it moved to the community (组织关系转接).
            previous = (f"{person.original_unit_name}党支部" if person.original_unit_name
                        else rng.choice(OUTSIDE_ORG_NAMES))
            result.append(Membership(person=person, kind=MembershipKind.PRIMARY, outside_org_name=previous[:120],
                                     started_on=joined, ended_on=start, end_reason=END_TRANSFER))
        result.append(Membership(
            person=person, kind=MembershipKind.PRIMARY, org=org, outside_org_name=outside, started_on=start,
            ended_on=max(end_cap, start) if ended else None, end_reason=reason if ended else "",
        ))
        # 三不转: taking part in a functional branch keeps the relation where it is.
        for target in self._participations(d, person, community):
            low = max(target.founded_on, start)
            on = draw.day_between(low, max(low, end_cap - timedelta(days=1)))
            result.append(Membership(
                person=person, kind=MembershipKind.PARTICIPATING, org=target, started_on=on,
                ended_on=max(end_cap, on) if ended else None, end_reason=reason if ended else "",
            ))
        return result

    def _participations(self, d: District, person: Person, community: Community) -> list[PartyOrg]:
        rng, s = self.draw.rng, self.scale
        if person.relocated:
            return []
        targets: list[PartyOrg] = []
        street_functional = d.street_functional.get(community.street_index)
        if person.status == PersonStatus.ACTIVE:
            # Every non-formal organisation first gets a couple of participants; then by chance.
            starving = [o for o in self._nonformal(d, street_functional) if d.participants.get(o.pk, 0) < 2]
            if starving:
                targets.append(starving[0])
            elif rng.random() < s.participation:
                pool = list(d.functional)
                weights = list(d.functional_weights)
                if street_functional is not None:
                    pool.append(street_functional)
                    weights.append(25.0)
                targets.append(rng.choices(pool, weights=weights)[0])
                if targets[0] == d.functional[0] and rng.random() < 0.5:
                    targets.append(rng.choice(d.functional_groups))
            if d.temporary not in targets and rng.random() < 0.003:
                targets.append(d.temporary)
        elif rng.random() < s.participation / 2:
            targets.append(rng.choice(d.functional))
        if person.status == PersonStatus.ACTIVE:
            for target in targets:
                d.participants[target.pk] = d.participants.get(target.pk, 0) + 1
        return targets

    def _nonformal(self, d: District, street_functional: PartyOrg | None) -> list[PartyOrg]:
        orgs = [*d.functional, *d.functional_groups, d.temporary]
        if street_functional is not None:
            orgs.append(street_functional)
        return orgs

    def _tally(self, person: Person, memberships: list[Membership], survivors: list[Survivor]) -> None:
        c = self.count
        c.persons += 1
        c.party_members += person.is_party_member
        c.memberships += len(memberships)
        c.participating += sum(m.kind == MembershipKind.PARTICIPATING for m in memberships)
        c.survivors += len(survivors)
        if person.status == PersonStatus.DECEASED:
            c.deceased += 1
        elif person.status == PersonStatus.MOVED:
            c.moved += 1
        elif person.is_party_member and not any(
            m.kind == MembershipKind.PRIMARY and m.ended_on is None for m in memberships
        ):
            c.pending += 1

    def _remember(self, d: District, person: Person, community: Community, memberships: list[Membership],
                  age: int) -> None:
        """Keep a few persons per organisation for officers and personas; memory stays bounded."""
        if person.status != PersonStatus.ACTIVE:
            return
        fit = age <= 82 and person.health in (Health.GOOD, Health.FAIR)
        for m in memberships:
            if m.ended_on is None and m.org is not None and fit:
                picks = d.candidates.setdefault(m.org.pk, [])
                if len(picks) < 6:
                    picks.append(person)
                if m.org.kind == OrgKind.GROUP and m.org.establishment == Establishment.FORMAL:
                    # A group's members belong to the branch too (officers of the branch come from them).
                    branch_picks = d.candidates.setdefault(community.branch.pk, [])
                    if len(branch_picks) < 6:
                        branch_picks.append(person)
        if (self.first is d and community.street_index == 0 and not person.relocated
                and person.living in (Living.ALONE, Living.EMPTY_NEST) and len(d.pair_candidates) < 5):
            d.pair_candidates.append(person)

    # -- officers ------------------------------------------------------------------------------------------

    def _officers(self, d: District) -> None:
        draw, rng, as_of = self.draw, self.draw.rng, self.as_of
        terms: list[OfficerTerm] = []

        def term(org, role, *, person=None, name="", in_service=False, start=None, end=None):
            start = start or draw.day_between(as_of - timedelta(days=5 * 365), as_of - timedelta(days=30))
            if org.founded_on:
                start = max(start, org.founded_on)
            terms.append(OfficerTerm(org=org, role=role, person=person, name="" if person else name,
                                     in_service=in_service, started_on=start, ended_on=end))
            return start

        # 党工委: the bureau's own cadres, in service.
        term(d.root_org, OfficerRole.SECRETARY, name=draw.other_name(Gender.MALE), in_service=True)
        term(d.root_org, OfficerRole.DEPUTY, name=draw.other_name(), in_service=True)
        branch_orgs: list[PartyOrg] = [c.branch for c in d.communities]
        branch_orgs += list(d.agency_branches.values()) + list(d.functional) + list(d.street_functional.values())
        branch_orgs.append(d.temporary)
        for i, street_org in enumerate(d.street_orgs):
            pool = [p for c in d.communities if c.street_index == i for p in d.candidates.get(c.branch.pk, [])[:1]]
            if pool and rng.random() < 0.6:
                term(street_org, OfficerRole.SECRETARY, person=rng.choice(pool))
            else:
                term(street_org, OfficerRole.SECRETARY, name=draw.other_name(), in_service=True)
            if pool:
                term(street_org, OfficerRole.MEMBER, person=pool[-1])
        for org in branch_orgs:
            picks = d.candidates.get(org.pk, [])
            secretary_start = None
            if picks and rng.random() >= 0.1:
                secretary_start = term(org, OfficerRole.SECRETARY, person=picks[0])
            else:
                # 在职党员兼任: seed 002 names it as a weakness; the diagnostics find these.
                secretary_start = term(org, OfficerRole.SECRETARY, name=draw.other_name(), in_service=True)
            if rng.random() < 0.2 and org.founded_on and secretary_start - org.founded_on > timedelta(days=400):
                # The previous secretary, an in-service cadre, before a retired member took over.
                term(org, OfficerRole.SECRETARY, name=draw.other_name(), in_service=True,
                     start=org.founded_on, end=secretary_start)
            if len(picks) > 1 and rng.random() < 0.6:
                term(org, OfficerRole.DEPUTY, person=picks[1])
            if len(picks) > 2 and rng.random() < 0.7:
                term(org, OfficerRole.MEMBER, person=picks[2])
            if len(picks) > 3 and rng.random() < 0.5:
                term(org, OfficerRole.LIAISON, person=picks[3])
            for group in d.groups.get(org.pk, []):
                group_picks = d.candidates.get(group.pk, [])
                if group_picks:
                    term(group, OfficerRole.GROUP_LEADER, person=group_picks[0])
        for group in d.functional_groups:
            group_picks = d.candidates.get(group.pk, [])
            if group_picks:
                term(group, OfficerRole.GROUP_LEADER, person=group_picks[0])
        OfficerTerm.objects.bulk_create(terms, batch_size=1000)
        self.count.officer_terms += len(terms)
        if self.first is not d:
            d.candidates.clear()

    # -- accounts ------------------------------------------------------------------------------------------

    def _accounts(self) -> None:
        d = self.first
        assert d is not None
        self.say("demo accounts")
        hashed = make_password(DEMO_PASSWORD)
        street = d.streets[0]
        street_org = d.street_orgs[0]
        branches = [c.branch for c in d.communities if c.street_index == 0]
        own_branch, other_branch = branches[0], branches[1]
        region_roots = self.city_roots or [d.region]
        party_roots = self.district_roots
        whole = "、".join(r.name for r in region_roots)
        member_person = self._member_person(d, own_branch)

        def create(username, role, display, scopes=(), person=None):
            account_services.check_roles([role])
            user = User(username=username, display_name=display, person=person)
            validate_password(DEMO_PASSWORD, user)
            user.password = hashed  # one hash for all: PBKDF2 ten times over would only slow the build
            user.full_clean(exclude=["password"])
            user.save()
            UserRole.objects.create(user=user, role=role)
            for node in scopes:
                account_services.scope_add(actor=None, user=user, node=node)
            return user

        roots_label = "、".join(o.name for o in party_roots[:2]) + ("等" if len(party_roots) > 2 else "")
        create("bureau", Role.BUREAU, "局机关 王科长", [*region_roots, *party_roots])
        self.accounts.append(("bureau", str(Role.BUREAU.label), f"全部:{whole} 行政区划 + {roots_label}"))
        create("street", Role.STREET, f"{street.name} 李干事", [street, street_org])
        self.accounts.append(("street", str(Role.STREET.label), f"{street.name}的居民 + {street_org.name}"))
        create("secretary", Role.SECRETARY, f"{own_branch.name}书记", [own_branch])
        with_groups = "(含党小组)" if d.groups.get(own_branch.pk) else ""
        self.accounts.append(("secretary", str(Role.SECRETARY.label), f"{own_branch.name}{with_groups}的党员"))
        create("neighbor", Role.SECRETARY, f"{other_branch.name}书记", [other_branch])
        self.accounts.append(("neighbor", str(Role.SECRETARY.label),
                              f"{other_branch.name}:看不到{own_branch.name}的人"))
        pair = create("pair", Role.PAIR_CONTACT, "结对联系人 赵大姐")
        for person in d.pair_candidates[:5]:
            account_services.pairing_create(actor=None, contact=pair, person=person,
                                            started_on=self.as_of - timedelta(days=90))
        self.accounts.append(("pair", str(Role.PAIR_CONTACT.label),
                              f"结对的{len(d.pair_candidates[:5])}位独居/空巢老同志({street.name})"))
        create("member", Role.MEMBER, member_person.name, person=member_person)
        self.accounts.append(("member", str(Role.MEMBER.label), f"只看自己:{member_person.name}({own_branch.name})"))
        create("leader", Role.LEADER, "分管领导 陈主任", list(region_roots))
        self.accounts.append(("leader", str(Role.LEADER.label), f"{whole}全域,只读"))
        for username, role, display in (("sysadmin", Role.SYSADMIN, "系统管理员"),
                                        ("secadmin", Role.SECADMIN, "安全管理员"),
                                        ("auditor", Role.AUDITOR, "审计管理员")):
            create(username, role, display)
            self.accounts.append((username, str(role.label), "无个人数据(三权分立)"))

    def _member_person(self, d: District, branch: PartyOrg) -> Person:
        officers = set(OfficerTerm.objects.filter(person__isnull=False).values_list("person_id", flat=True))
        branch_orgs = [branch, *d.groups.get(branch.pk, [])]
        picks = [p for o in branch_orgs for p in d.candidates.get(o.pk, [])]
        for person in picks:
            if person.pk not in officers:
                return person
        person = (Person.objects.filter(
            status=PersonStatus.ACTIVE, is_party_member=True, memberships__kind=MembershipKind.PRIMARY,
            memberships__ended_on__isnull=True, memberships__org__in=branch_orgs,
        ).exclude(pk__in=officers).order_by("pk").first())
        if person is None:
            raise DemoError(f"No party member on the register in {branch.name} for the member account.")
        return person

    # -- result ---------------------------------------------------------------------------------------------

    def result(self) -> dict:
        c = self.count
        counts = {
            "regions": Region.objects.count(),
            "units": Unit.objects.count(),
            "party_orgs": PartyOrg.objects.count(),
            "persons": c.persons,
            "party_members": c.party_members,
            "lixiu": Person.objects.filter(retirement_type=RetirementType.LIXIU).count(),
            "deceased": c.deceased,
            "moved": c.moved,
            "survivors": c.survivors,
            "memberships": c.memberships,
            "participating": c.participating,
            "pending": c.pending,
            "officer_terms": c.officer_terms,
            "users": User.objects.filter(username__in=[a[0] for a in ACCOUNTS]).count(),
            "functional_orgs": PartyOrg.objects.filter(~Q(establishment=Establishment.FORMAL)).count(),
        }
        return {"password": DEMO_PASSWORD, "accounts": list(self.accounts), "counts": counts}


def _root_org_name(district: str) -> str:
    return f"{district}委老干部局离退休干部党工委"


def _pick(cum_weights: list[float], x: float) -> int:
    return min(bisect.bisect_left(cum_weights, x), len(cum_weights) - 1)
