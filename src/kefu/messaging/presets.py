"""The SMS texts of seed 001 (短信回访: 节日问候型, 有用信息型, 实用技巧型,
维修回访型) and the satisfaction request, installed once after migrating."""

TEMPLATES = [
    ("festival", "节日问候", "festival",
     "亲爱的{customer}，今天是{festival}，我们祝您节日快乐。在今后的日子里，"
     "如有什么问题，请与我们联系，我们竭诚为您服务！服务电话：{service_phone}，谢谢！"),
    ("useful_info", "有用信息", "information",
     "亲爱的{customer}，为感谢您对我们的支持，我们特为您准备了一份小小的礼物，"
     "欢迎您来领取！服务电话：{service_phone}，谢谢！"),
    ("tips", "实用技巧", "tips",
     "亲爱的{customer}，为感谢您的支持，我们为您整理了一份实用使用技巧，"
     "希望您能喜欢！服务电话：{service_phone}。"),
    ("repair_followup", "维修回访", "repair",
     "亲爱的{customer}，感谢您的支持，我们对上次维修给您带来的不便表示歉意，"
     "如您还有什么问题，请与我们联系，服务电话：{service_phone}，谢谢！"),
    ("satisfaction", "满意度评价邀请", "satisfaction",
     "亲爱的{customer}，感谢您联系我们。请用一分钟为本次服务评价：{link} "
     "（也可直接回复1-5分，5分为非常满意）。回复TD退订。"),
]  # fmt: skip


def install_sms_templates(**kwargs):
    from kefu.messaging.models import SmsTemplate

    for code, name, kind, body in TEMPLATES:
        SmsTemplate.objects.get_or_create(
            code=code, defaults={"name": name, "kind": kind, "body": body}
        )
