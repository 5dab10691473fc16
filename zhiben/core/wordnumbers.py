"""The numbers Word puts before auto-numbered paragraphs ("一、", "（一）", "1.", "①"), which the text does not hold.

Offices number a plan's sections and items by hand as often as with Word's list numbering; read without the numbers,
an auto-numbered "一、主要任务 / （一）… / 1.…" loses the structure the plan reader goes by. `ListNumbers` reads the
package's numbering and styles parts and, paragraph after paragraph in document order, gives each numbered one its
label as Word shows it: the level's text ("%1、", "（%1）", "%1.%2") with each counter in its level's format (decimal,
chineseCounting 一二三, chineseLegalSimplified 壹贰叁, ideographTraditional 甲乙丙, decimalEnclosedCircle ①②, letters,
roman numerals). A level starts again after a paragraph of a higher level, as Word does by default.

It works on ElementTree-like elements (the standard library's, or lxml's as python-docx has them).
"""

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
LEVELS = 9
_DIGITS = "零一二三四五六七八九"
_LEGAL = "零壹贰叁肆伍陆柒捌玖"
_STEMS = "甲乙丙丁戊己庚辛壬癸"
_ZODIAC = "子丑寅卯辰巳午未申酉戌亥"
_ROMAN = [(1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"), (40, "XL"), (10, "X")]
_ROMAN += [(9, "IX"), (5, "V"), (4, "IV"), (1, "I")]


def chinese_number(n, digits=_DIGITS, ten="十", hundred="百"):
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 105 → 一百零五 (to 999; larger as figures)."""
    if not 0 < n < 1000:
        return str(n)
    hundreds, tens, ones = n // 100, n // 10 % 10, n % 10
    out = f"{digits[hundreds]}{hundred}" if hundreds else ""
    if tens:
        out += ("" if tens == 1 and not hundreds else digits[tens]) + ten
    elif hundreds and ones:
        out += digits[0]
    return out + (digits[ones] if ones else "")


def _roman(n):
    out = ""
    for value, letters in _ROMAN:
        while n >= value:
            out, n = out + letters, n - value
    return out


def _letters(n):
    return chr(ord("A") + (n - 1) % 26) * ((n - 1) // 26 + 1)


def format_number(n, fmt):
    """`n` in Word's number format `fmt` (w:numFmt)."""
    if fmt in ("chineseCounting", "chineseCountingThousand", "taiwaneseCounting", "japaneseCounting"):
        return chinese_number(n)
    if fmt in ("chineseLegalSimplified", "taiwaneseCountingThousand"):
        return chinese_number(n, _LEGAL, "拾", "佰")
    if fmt == "ideographTraditional":
        return _STEMS[(n - 1) % 10]
    if fmt == "ideographZodiac":
        return _ZODIAC[(n - 1) % 12]
    if fmt in ("decimalEnclosedCircle", "decimalEnclosedCircleChinese") and 1 <= n <= 20:
        return chr(0x2460 + n - 1)
    if fmt == "decimalFullWidth":
        return "".join(chr(ord(d) + 0xFEE0) for d in str(n))
    if fmt == "decimalZero":
        return f"{n:02d}"
    if fmt in ("upperLetter", "lowerLetter"):
        return _letters(n) if fmt == "upperLetter" else _letters(n).lower()
    if fmt in ("upperRoman", "lowerRoman"):
        return _roman(n) if fmt == "upperRoman" else _roman(n).lower()
    return str(n)


def _val(element, tag, default=None):
    found = element.find(f"{W}{tag}") if element is not None else None
    return found.get(f"{W}val", default) if found is not None else default


class ListNumbers:
    """Labels of auto-numbered paragraphs, given in document order (see the module's text)."""

    def __init__(self, numbering=None, styles=None):
        """`numbering`, `styles`: the root elements of word/numbering.xml and word/styles.xml (None when absent)."""
        self.levels, self.lists, self.styles, self.counters = {}, {}, {}, {}
        for abstract in numbering.findall(f"{W}abstractNum") if numbering is not None else ():
            self.levels[abstract.get(f"{W}abstractNumId")] = {
                lvl.get(f"{W}ilvl", "0"): (
                    int(_val(lvl, "start", "1") or 1),
                    _val(lvl, "numFmt", "decimal"),
                    _val(lvl, "lvlText", ""),
                )
                for lvl in abstract.findall(f"{W}lvl")
            }
        for num in numbering.findall(f"{W}num") if numbering is not None else ():
            starts = {
                over.get(f"{W}ilvl", "0"): int(_val(over, "startOverride"))
                for over in num.findall(f"{W}lvlOverride")
                if _val(over, "startOverride") is not None
            }
            self.lists[num.get(f"{W}numId")] = (_val(num, "abstractNumId"), starts)
        based, own = {}, {}
        for style in styles.findall(f"{W}style") if styles is not None else ():
            name = style.get(f"{W}styleId")
            based[name] = _val(style, "basedOn")
            numpr = style.find(f"{W}pPr/{W}numPr")
            if numpr is not None:
                own[name] = (_val(numpr, "numId"), _val(numpr, "ilvl", "0"))
        for name in based:  # a style's numbering, or that of the style it is based on
            seen, current = set(), name
            while current and current not in own and current not in seen:
                seen.add(current)
                current = based.get(current)
            if current in own:
                self.styles[name] = own[current]

    def label(self, paragraph):
        """The label Word shows before `paragraph` (a w:p element), "" for none; counts it."""
        ppr = paragraph.find(f"{W}pPr")
        numpr = ppr.find(f"{W}numPr") if ppr is not None else None
        style = self.styles.get(_val(ppr, "pStyle"), (None, "0"))
        num_id = _val(numpr, "numId", style[0]) if numpr is not None else style[0]
        level = int(_val(numpr, "ilvl", style[1]) if numpr is not None else style[1] or 0)
        if not num_id or num_id == "0" or num_id not in self.lists or not 0 <= level < LEVELS:
            return ""
        abstract, starts = self.lists[num_id]
        formats = self.levels.get(abstract, {})
        if str(level) not in formats:
            return ""

        def start(k):
            return starts.get(str(k), formats.get(str(k), (1,))[0])

        counters = self.counters.setdefault(num_id, [None] * LEVELS)
        counters[level] = start(level) if counters[level] is None else counters[level] + 1
        for deeper in range(level + 1, LEVELS):
            counters[deeper] = None
        _, fmt, text = formats[str(level)]
        if fmt in ("bullet", "none"):
            return ""
        for k in range(level, -1, -1):
            value = counters[k] if counters[k] is not None else start(k)
            text = text.replace(f"%{k + 1}", format_number(value, formats.get(str(k), (1, "decimal"))[1]))
        return text
