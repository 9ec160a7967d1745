"""Who and what the demo is about: staff logins, sellers, their catalog."""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field

from sellers.models import HealthState

PASSWORD = "arbiter-demo"


# --- people ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StaffLogin:
    username: str
    role: str
    first_name: str
    last_name: str
    groups: tuple[str, ...] = ()
    superuser: bool = False
    languages: tuple[str, ...] | None = None  # a StaffProfile for people who work queues


STAFF = (
    StaffLogin("admin", "Administrator (superuser)", "Alex", "Morgan", ("Administrator",), True),
    StaffLogin("lead", "Team Lead", "Priya", "Raman", ("Team Lead",), languages=()),
    StaffLogin("qa", "QA Reviewer", "Jonas", "Weber", ("QA Reviewer",)),
    StaffLogin(
        "specialist", "Specialist", "Li", "Na", ("Specialist",), languages=("en", "zh-hans")
    ),
    StaffLogin(
        "specialist2", "Specialist", "Kenji", "Watanabe", ("Specialist",), languages=("en", "ja")
    ),
    StaffLogin(
        "senior", "Senior Specialist", "Maria", "Santos", ("Senior Specialist",), languages=()
    ),
    StaffLogin("finance", "Finance", "Sam", "Okafor", ("Finance",)),
)
SERVICE_USER = "integration"
# Each seller's share of the 90 days of history (history.py).
HISTORY_SHARE = {"US": 0.45, "CN": 0.3, "JP": 0.25}
# Who works a seller's cases: the first takes it, the next one reviews an appeal.
SPECIALISTS_BY_LANGUAGE = {
    "en": ("specialist", "specialist2", "senior"),
    "zh-hans": ("specialist", "senior"),
    "ja": ("specialist2", "senior"),
}


# --- sellers and catalog --------------------------------------------------------------------------


@dataclass(frozen=True)
class SkuSpec:
    sku: str
    title: str
    value: str
    dims: tuple[str, str, str]
    weight_g: int


@dataclass(frozen=True)
class SellerSpec:
    code: str
    seller_id: str
    name: str
    marketplace: str
    currency: str
    language: str
    health: str
    email: str
    username: str
    user_name: tuple[str, str]
    fcs: tuple[str, ...]
    carriers: tuple[str, ...]
    order_prefix: str
    tracking_prefix: str
    offset: int  # rotates claim types over the plan so each seller's mix differs
    fee: str
    top_up: str
    payment: str
    skus: tuple[SkuSpec, ...] = field(default_factory=tuple)


S = SkuSpec
SELLERS = (
    SellerSpec(
        "US",
        "DEMO-US-NORTHWIND",
        "Northwind Home Goods",
        "US",
        "USD",
        "en",
        HealthState.HEALTHY,
        "claims@northwind-home.example",
        "seller-en",
        ("Dana", "Whitaker"),
        ("PHX7", "ONT8", "BFI4"),
        ("UPS", "FedEx", "USPS"),
        "113",
        "1Z5R89W4",
        0,
        "3.42",
        "18.75",
        "1284.50",
        (
            S(
                "NW-MUG-12OZ",
                "Stoneware Coffee Mug, 12 oz, Set of 4",
                "24.99",
                ("24", "24", "14"),
                2100,
            ),
            S(
                "NW-TOWEL-BTH",
                "Turkish Cotton Bath Towel Set, 6-Piece",
                "39.99",
                ("35", "28", "18"),
                2600,
            ),
            S(
                "NW-LAMP-LED",
                "Dimmable LED Desk Lamp with USB Port",
                "32.50",
                ("45", "16", "12"),
                1200,
            ),
            S(
                "NW-PAN-10",
                "Cast Iron Skillet, 10-inch, Pre-Seasoned",
                "29.95",
                ("43", "27", "6"),
                2400,
            ),
            S("NW-KNIFE-8PC", "8-Piece Kitchen Knife Block Set", "89.00", ("38", "18", "12"), 3100),
            S(
                "NW-THROW-KNIT",
                "Chunky Knit Throw Blanket, 50 x 60 in",
                "45.00",
                ("40", "30", "15"),
                1900,
            ),
            S("NW-DIFFUSER", "Ultrasonic Aroma Diffuser, 300 ml", "19.99", ("17", "17", "19"), 600),
            S(
                "NW-VAC-ROBOT",
                "Robot Vacuum with Self-Empty Base",
                "379.00",
                ("50", "42", "38"),
                8300,
            ),
            S(
                "NW-ESPRESSO-PRO",
                "Dual Boiler Espresso Machine, Stainless",
                "449.00",
                ("46", "40", "44"),
                14500,
            ),
        ),
    ),
    SellerSpec(
        "CN",
        "DEMO-CN-YOUPIN",
        "深圳优品电子",
        "CN",
        "CNY",
        "zh-hans",
        HealthState.HEALTHY,
        "kefu@youpin-sz.example",
        "seller-zh",
        ("伟", "陈"),
        ("SZX1", "CAN2", "PEK3"),
        ("SF Express", "ZTO Express"),
        "402",
        "SF14",
        3,  # puts a buyer-damaged return (paid at 50%) on the partial decision on appeal
        "18.50",
        "120.00",
        "8650.00",
        (
            S("YP-EARBUD-X2", "无线蓝牙耳机 X2 降噪版", "299.00", ("12", "9", "5"), 180),
            S("YP-PWRBANK-20K", "20000mAh 快充移动电源", "159.00", ("16", "8", "3"), 420),
            S("YP-CABLE-USBC", "USB-C 编织数据线 2米 两条装", "39.90", ("15", "10", "2"), 120),
            S("YP-WATCH-S3", "智能手表 S3 心率血氧监测", "699.00", ("11", "9", "7"), 260),
            S("YP-SPEAKER-MINI", "便携蓝牙音箱 迷你款", "129.00", ("10", "10", "9"), 350),
            S("YP-CHARGER-65W", "65W 氮化镓充电器", "149.00", ("8", "7", "4"), 150),
            S("YP-KEYBOARD-MK", "机械键盘 87键 青轴", "359.00", ("40", "16", "5"), 980),
            S("YP-CAM-4K", "4K 运动相机 防水套装", "1299.00", ("20", "15", "8"), 640),
            S("YP-DRONE-MINI", "折叠航拍无人机 mini", "8999.00", ("30", "22", "12"), 1450),
        ),
    ),
    SellerSpec(
        "JP",
        "DEMO-JP-SAKURA",
        "さくら雑貨",
        "JP",
        "JPY",
        "ja",
        HealthState.AT_RISK,
        "support@sakura-zakka.example",
        "seller-ja",
        ("美咲", "佐藤"),
        ("NRT5", "KIX3", "FSZ1"),
        ("Yamato Transport", "Sagawa Express", "Japan Post"),
        "503",
        "4410",
        9,
        "420",
        "1500",
        "126000",
        (
            S("SK-CHAWAN-SET", "美濃焼 茶碗 5客セット", "4980", ("30", "24", "12"), 1800),
            S("SK-TENUGUI", "手ぬぐい 桜柄 3枚組", "1650", ("25", "18", "2"), 150),
            S("SK-BENTO-2T", "二段弁当箱 木目調", "2480", ("19", "11", "10"), 380),
            S("SK-KYUSU", "常滑焼 急須 300ml", "6800", ("18", "14", "11"), 520),
            S("SK-FUROSHIKI", "綿風呂敷 70cm 藍染", "2200", ("20", "15", "2"), 110),
            S("SK-CHOPSTICK", "若狭塗 箸 夫婦箸セット", "3300", ("26", "9", "3"), 90),
            S("SK-INCENSE", "京都 お香 白檀 120本入", "1320", ("16", "8", "3"), 140),
            S("SK-TETSUBIN", "南部鉄器 鉄瓶 1.2L", "28600", ("24", "21", "20"), 2300),
            S("SK-LACQUER-BOX", "輪島塗 重箱 三段", "185000", ("24", "24", "22"), 2100),
        ),
    ),
)


def fnsku_for(s: SellerSpec, sku: SkuSpec) -> str:
    return f"X00{s.code}{abs(zlib.crc32(sku.sku.encode())) % 10**5:05d}"


def asin_for(s: SellerSpec, sku: SkuSpec) -> str:
    return f"B0{abs(zlib.crc32((s.code + sku.sku).encode())) % 10**8:08d}"
