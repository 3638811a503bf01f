"""Decoding bytes whose declared charset may be missing or wrong (common with Chinese mail).

GB2312 and GBK are decoded as GB18030 (their superset: a "gb2312" mail often holds GBK
characters). When the declared charset fails, or is a Latin one that never fails, the
candidates are tried strictly and the one whose text is most plausible Chinese wins: Big5
bytes usually decode as GB18030 too, but into rare characters.
"""

from __future__ import annotations

import codecs

_ALIASES = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "cp936": "gb18030",
    "euc-cn": "gb18030",
    "hz-gb-2312": "hz",
    "big5-hkscs": "big5hkscs",
    "x-big5": "big5",
    "cp950": "big5",
    "ks_c_5601-1987": "euc-kr",
    "unicode-1-1-utf-7": "utf-7",
    "utf8": "utf-8",
}
# Labels that decode any byte sequence, so their "success" proves nothing about non-ASCII.
_PERMISSIVE = {"latin-1", "iso8859-1", "us-ascii", "ascii", "cp1252", "windows-1252"}
_CANDIDATES = ("utf-8", "gb18030", "big5")
# Frequent characters in simplified and traditional writing (the traditional forms of the
# most frequent words too): a correct decoding is full of them, a wrong one rarely.
_FREQUENT = set(
    "的一是不了人我在有他这中大来上个国到说们为子和你地出道也时年得就那要下以生会自着去之过"
    "家学对可她里后小么心多天而能好都然没日于起还发成事只作当想看文无开手十用主行方又如前所"
    "本见经头面公同三已老从动两长知民样现分将外但身些与高意进把法此实回二理美点月明其种声全"
    "工己话儿者向情部正名定女问力机给等几很业最间新什打便位因重被走电四第门相次东政海口使教"
    "西再平真听世气信北少关并内加化由却代军产入先山五太水万市眼体别处总才场师书比住员九笑性"
    "通目华报立马命张活难神数件安表原车白应路期叫死常提感金何更反合放做系计或司利受光王果亲"
    "界及今京务制解各任至清物台象记边共风战干接它许特觉望直服毛林题建南度统色字请失您订单货"
    "款退换客户投诉服务问题请谢谢收到快递维修产品质量价格费用账号密码登录网站邮件附件联系"
    "們這個國說為時會來過學對裡後麼東發問機體電當經關見氣對長門開間頭動無話還點實現種業務"
    "題單貨換戶訴務質費賬號碼錄網郵聯繫謝請謝收電視產處理謝您請問已經沒有時間"
)


def canonical(label: str | None) -> str | None:
    """A Python codec name for a MIME charset label, or None when unknown."""
    if not label:
        return None
    name = label.strip().strip('"').lower()
    name = _ALIASES.get(name, name)
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def _score(text: str) -> float:
    cjk = [c for c in text if "\u3400" <= c <= "\u9fff" or "\uf900" <= c <= "\ufaff"]
    if not cjk:
        return 0.0
    return sum(1 for c in cjk if c in _FREQUENT) / len(cjk)


def decode_bytes(data: bytes, declared: str | None) -> tuple[str, str]:
    """(text, codec actually used). Never raises: the last resort replaces bad bytes."""
    codec = canonical(declared)
    if not data:
        return "", codec or "ascii"
    try:
        data.decode("ascii")
        return data.decode("ascii"), codec or "ascii"
    except UnicodeDecodeError:
        pass
    tried: list[tuple[float, int, str, str]] = []
    order = [codec] if codec else []
    order += [c for c in _CANDIDATES if c not in order]
    for rank, name in enumerate(order):
        try:
            text = data.decode(name)
        except (UnicodeDecodeError, LookupError):
            continue
        if name == "utf-8":
            return text, name  # non-ASCII that is valid UTF-8 is never an accident
        # A permissive label wins only when no CJK reading is plausible.
        score = 0.15 if name in _PERMISSIVE else _score(text) + (0.25 if name == codec else 0.0)
        tried.append((score, -rank, text, name))
    if tried:
        _s, _r, text, name = max(tried)
        return text, name
    fallback = codec or "gb18030"
    return data.decode(fallback, errors="replace"), fallback
