"""The seeds' e-commerce service day (电商客服工作流程) as shift templates."""

ECOMMERCE_DAY = [
    {"start": "08:30", "end": "09:30", "work": "处理前天售后退换货、漏单漏发、缺货咨询,修改库存"},
    {"start": "09:30", "end": "12:00", "work": "处理前天下单客户的咨询接待"},
    {"start": "12:00", "end": "14:00", "work": "处理客户评价,差评中评电话联系客户"},
    {"start": "14:00", "end": "17:00", "work": "接待客户,快递打单,每小时送单到仓库"},
    {"start": "17:00", "end": "19:30", "work": "检查当天工作,配单发货,到仓库帮忙"},
    {"start": "19:30", "end": "22:00", "work": "晚班:检查所有店铺售后,处理未发出的货品"},
]


def _segments(start, end):
    return [s for s in ECOMMERCE_DAY if s["start"] >= start and s["end"] <= end]


SHIFT_TEMPLATES = [
    # code, name, English name, start, end, break minutes, break after, colour
    ("early", "早班", "Early", "08:30", "17:00", 60, 210, "green"),
    ("day", "日班", "Day", "09:30", "18:00", 60, 150, "blue"),
    ("middle", "中班", "Middle", "12:00", "20:30", 60, 300, "purple"),
    ("late", "晚班", "Late", "13:30", "22:00", 60, 240, "orange"),
    ("evening", "晚间短班", "Evening", "19:30", "22:00", 0, 0, "red"),
]


def shift_templates():
    return [
        {
            "code": code,
            "name": name,
            "name_en": name_en,
            "start": start,
            "end": end,
            "break_minutes": break_minutes,
            "break_after_minutes": break_after,
            "colour": colour,
            "segments": _segments(start, end),
        }
        for code, name, name_en, start, end, break_minutes, break_after, colour in SHIFT_TEMPLATES
    ]
