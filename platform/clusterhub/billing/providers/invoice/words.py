"""Amounts in Russian words («сумма прописью»), as printed on invoices and acts."""

_UNITS_M = ["", "один", "два", "три", "четыре", "пять", "шесть", "семь", "восемь", "девять"]
_UNITS_F = ["", "одна", "две", *_UNITS_M[3:]]
_TEENS = [
    "десять",
    "одиннадцать",
    "двенадцать",
    "тринадцать",
    "четырнадцать",
    "пятнадцать",
    "шестнадцать",
    "семнадцать",
    "восемнадцать",
    "девятнадцать",
]
_TENS = [
    "",
    "",
    "двадцать",
    "тридцать",
    "сорок",
    "пятьдесят",
    "шестьдесят",
    "семьдесят",
    "восемьдесят",
    "девяносто",
]
_HUNDREDS = [
    "",
    "сто",
    "двести",
    "триста",
    "четыреста",
    "пятьсот",
    "шестьсот",
    "семьсот",
    "восемьсот",
    "девятьсот",
]
# (one, few, many), feminine?
_SCALES = [
    (("", "", ""), False),
    (("тысяча", "тысячи", "тысяч"), True),
    (("миллион", "миллиона", "миллионов"), False),
    (("миллиард", "миллиарда", "миллиардов"), False),
]


def plural(n: int, forms: tuple[str, str, str]) -> str:
    """The Russian form for ``n``: 1 рубль, 2 рубля, 5 рублей, 11 рублей, 21 рубль."""
    if n % 10 == 1 and n % 100 != 11:
        return forms[0]
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return forms[1]
    return forms[2]


def _triad(n: int, feminine: bool) -> list[str]:
    words = [_HUNDREDS[n // 100]]
    rest = n % 100
    if 10 <= rest < 20:
        words.append(_TEENS[rest - 10])
    else:
        words += [_TENS[rest // 10], (_UNITS_F if feminine else _UNITS_M)[rest % 10]]
    return [w for w in words if w]


def number_in_words(n: int, feminine: bool = False) -> str:
    if n == 0:
        return "ноль"
    words, scale = [], 0
    while n:
        n, triad = divmod(n, 1000)
        if triad:
            forms, fem = _SCALES[scale]
            part = _triad(triad, fem if scale else feminine)
            if scale:
                part.append(plural(triad, forms))
            words = part + words
        scale += 1
    return " ".join(words)


def rubles_in_words(kopecks: int) -> str:
    """12_000_00 → «Двенадцать тысяч рублей 00 копеек»."""
    rubles, kop = divmod(kopecks, 100)
    text = (
        f"{number_in_words(rubles)} {plural(rubles, ('рубль', 'рубля', 'рублей'))} "
        f"{kop:02d} {plural(kop, ('копейка', 'копейки', 'копеек'))}"
    )
    return text[0].upper() + text[1:]
