"""Shared pieces of the demo builder: scales, reference lists, the random draw and the plan of a district."""

from __future__ import annotations

import bisect
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from faker import Faker

from jinqiu.organizations.models import (
    PartyOrg,
    Unit,
)
from jinqiu.people.models import (
    Gender,
    Person,
)
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


def _root_org_name(district: str) -> str:
    return f"{district}委老干部局离退休干部党工委"


def _pick(cum_weights: list[float], x: float) -> int:
    return min(bisect.bisect_left(cum_weights, x), len(cum_weights) - 1)
