"""Chinese surnames: the most common ones in pinyin, compound surnames, and surname readings.

The ranking follows the order of frequency in the mainland population registers (most common first);
several characters share one toneless pinyin (李/黎 ``li``, 吕/卢/陆/鲁 ``lu``), so each pinyin appears once,
at the rank of its most common character.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

_RANKED = """
    wang li zhang liu chen yang huang zhao wu zhou xu sun ma zhu hu guo he lin gao luo zheng liang xie
    song tang han deng feng cao peng zeng xiao tian dong pan yuan cai jiang yu du ye cheng wei su lu ding
    ren yao shen zhong cui tan fan liao shi jin jia xia fu fang zou xiong bai meng qin qiu hou yin xue yan
    duan lei long tao mao hao gu gong shao wan qian dai ou mo kong xiang chang kang yi qiao lai wen hong
    xin ke zhuang ge niu an bao qi chai ni geng zhan guan lan ling mei nie tong ruan rao tu shu ning ji
    zhai shan xian zuo
"""

SURNAMES_BY_FREQUENCY: tuple[str, ...] = tuple(dict.fromkeys(_RANKED.split()))
"""Single-syllable surname pinyin, most common first."""

COMPOUND_SURNAMES: Mapping[str, str] = MappingProxyType(
    {
        "欧阳": "ouyang",
        "司马": "sima",
        "诸葛": "zhuge",
        "上官": "shangguan",
        "东方": "dongfang",
        "皇甫": "huangfu",
        "尉迟": "yuchi",
        "公孙": "gongsun",
        "慕容": "murong",
        "令狐": "linghu",
        "夏侯": "xiahou",
        "司徒": "situ",
        "司空": "sikong",
        "长孙": "zhangsun",
        "宇文": "yuwen",
        "端木": "duanmu",
        "呼延": "huyan",
        "轩辕": "xuanyuan",
        "万俟": "moqi",
        "单于": "chanyu",
        "澹台": "tantai",
        "南宫": "nangong",
        "西门": "ximen",
        "独孤": "dugu",
        "百里": "baili",
        "东郭": "dongguo",
        "太史": "taishi",
        "申屠": "shentu",
        "闻人": "wenren",
        "赫连": "helian",
        "公冶": "gongye",
        "宗政": "zongzheng",
        "濮阳": "puyang",
        "淳于": "chunyu",
        "钟离": "zhongli",
        "鲜于": "xianyu",
        "拓跋": "tuoba",
        "公羊": "gongyang",
        "第五": "diwu",
        "歐陽": "ouyang",
        "諸葛": "zhuge",
        "東方": "dongfang",
        "尉遲": "yuchi",
        "公孫": "gongsun",
        "長孫": "zhangsun",
    }
)
"""Two-character surnames (simplified and the common traditional spellings) -> toneless pinyin."""

SURNAME_READINGS: Mapping[str, str] = MappingProxyType(
    {
        "单": "shan",
        "曾": "zeng",
        "仇": "qiu",
        "区": "ou",
        "區": "ou",
        "朴": "piao",
        "查": "zha",
        "解": "xie",
        "乐": "yue",
        "樂": "yue",
        "盖": "ge",
        "蓋": "ge",
        "缪": "miao",
        "繆": "miao",
        "覃": "qin",
        "翟": "zhai",
        "秘": "bi",
        "种": "chong",
        "召": "shao",
        "折": "she",
        "员": "yun",
        "句": "gou",
        "洗": "xian",
        "薄": "bo",
        "阚": "kan",
        "隗": "wei",
        "繁": "po",
        "重": "chong",
        "祭": "zhai",
        "能": "nai",
        "佴": "nai",
        "粘": "nian",
        "都": "du",
        "藏": "zang",
        "單": "shan",
    }
)
"""Surname characters whose everyday reading differs from the surname reading (单 dan -> shan)."""

CHINESE_SURNAMES_PINYIN: frozenset[str] = frozenset(SURNAMES_BY_FREQUENCY) | frozenset(
    COMPOUND_SURNAMES.values()
)
"""Toneless pinyin of the ~120 most common single surnames and of the compound surnames."""
