"""The standard service phrases (服务用语规范) at hand on the phone desk."""

from django.utils.translation import gettext_lazy as _

PHRASES = [
    (
        _("Greeting"),
        [
            "您好，客服中心，工号{agent_no}，很高兴为您服务！",
            "您好，请问有什么可以帮您？",
        ],
    ),
    (
        _("Verifying"),
        [
            "请问您贵姓？方便留一个联系电话吗？",
            "请问您的房号（或产品编号）是多少？",
            "跟您核对一下您反映的情况，您看对吗？",
        ],
    ),
    (
        _("Waiting"),
        [
            "请您稍等，我帮您查询一下。",
            "让您久等了，感谢您的耐心等待。",
        ],
    ),
    (
        _("Handling"),
        [
            "您反映的问题我已经记录，会在规定时间内安排专人处理，并给您回复。",
            "非常抱歉给您带来不便，我们会尽快为您处理。",
        ],
    ),
    (
        _("Closing"),
        [
            "请问还有其他可以帮您的吗？",
            "感谢您的来电，稍后可能会请您对本次服务进行评价，祝您生活愉快，再见！",
        ],
    ),
]


def phrases_for(user):
    agent_no = user.agent_no or ""
    return [
        (title, [text.replace("{agent_no}", agent_no) for text in texts])
        for title, texts in PHRASES
    ]
