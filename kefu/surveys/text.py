"""Open answers in Chinese: keyword tokens (jieba with the assist dictionary)."""

from __future__ import annotations

STOPWORDS = frozenset(
    {
        "我们",
        "你们",
        "他们",
        "没有",
        "就是",
        "还是",
        "可以",
        "这个",
        "那个",
        "一个",
        "什么",
        "非常",
        "比较",
        "希望",
        "觉得",
        "已经",
        "因为",
        "所以",
        "但是",
        "而且",
        "如果",
        "的话",
        "还有",
        "真的",
        "一下",
        "时候",
        "现在",
        "自己",
        "问题",
        "谢谢",
    }
)


def keyword_tokens(text: str) -> list[str]:
    """Words of two or more characters, Chinese only, without the commonest filler words."""
    from kefu.assist.model import word_tokens

    return [
        t
        for t in word_tokens(text)
        if len(t) >= 2 and t not in STOPWORDS and not t.isdigit() and not t.isascii()
    ]
