"""The callback regime of the seeds (seed 001: 回访制度), installed once after
migrating; supervisors edit the rows afterwards."""

from datetime import time

SCRIPTS = [
    {
        "code": "standard",
        "name": "电话回访标准话术",
        "opening": "您好，我是{agent}，请问您是{customer}先生/女士吗？打扰您了。",
        "question": "感谢您对我们公司的支持，请问您对我们公司的产品和服务满意吗？",
        "branches": {
            "satisfied": {
                "ask": "您对我们的服务有什么建议吗？",
                "closing": "感谢您的答复，您如果需要什么帮助，可随时跟我们取得联系，再见！",
            },
            "dissatisfied": {
                "ask": "能否告诉我您对哪方面不满意？我们应改进哪方面的工作？",
                "closing": "非常谢谢您的反映，这一点我们的确做得不够，我们很快就会有改进的，"
                "望您监督，再见！",
            },
        },
    },
    {
        "code": "repair",
        "name": "维修回访话术",
        "opening": "您好，{customer}先生/女士，对不起打扰您了，这里是客户服务部，"
        "我们想了解一下您上次报修的处理情况。",
        "question": "请问维修后现在使用情况如何？您对这次维修服务满意吗？",
        "branches": {
            "satisfied": {
                "ask": "您对我们的服务有什么建议吗？",
                "closing": "对不起，耽误您的时间了，如有什么问题，请拨打我们的服务电话，再见！",
            },
            "dissatisfied": {
                "ask": "能否告诉我您对哪方面不满意？",
                "closing": "谢谢您的合作，对于您提出的问题，我们会立即解决，再见！",
            },
        },
    },
]

# code, name, segment, trigger, ratio, delay, deadline, spread, method, priority,
# mandatory, address_without_phone, sms template, script
POLICIES = [
    ("repair_phone", "维修用户电话回访（≥50%，两周内）", "", "repair_completed",
     "0.5", 0, 14, 1, "phone", 2, False, False, "", "repair"),
    ("new_user_phone", "新用户电话回访（≥10%，一个月内）", "", "purchase",
     "0.1", 0, 30, 1, "phone", 2, False, False, "", "standard"),
    ("key_customer", "重点客户回访（100%，三天内）", "key", "order_archived",
     "1", 0, 3, 1, "phone", 3, True, False, "", "standard"),
    ("repair_sms", "维修用户短信回访（三天前维修用户的50%）", "", "repair_completed",
     "0.5", 3, 4, 1, "sms", 1, False, False, "repair_followup", None),
    ("ordinary_sms", "普通用户季度短信", "ordinary", "periodic",
     "1", 0, 7, 91, "sms", 1, False, False, "useful_info", None),
    ("mail_sample", "信函回访（有地址无电话的客户，抽样8%，分两个半月）", "", "periodic",
     "0.08", 0, 30, 75, "mail", 1, False, True, "", None),
    ("clinic_visit", "门诊未购买客户次日回访", "", "visit_no_purchase",
     "1", 1, 2, 1, "phone", 2, False, False, "", "standard"),
    ("complaint", "投诉处理结果回访（100%）", "", "complaint_resolved",
     "1", 0, 3, 1, "phone", 3, True, False, "", "standard"),
    ("missed_call", "未接来电与留言回拨", "", "call_missed",
     "1", 0, 1, 1, "phone", 3, True, False, "", "standard"),
]  # fmt: skip

# Customers rest at noon and at night.
QUIET_PERIODS = [(time(12, 0), time(14, 0)), (time(21, 0), time(8, 30))]


def install_callback_presets(**kwargs):
    from kefu.callbacks.models import CallbackPolicy, CallbackScript, QuietPeriod

    scripts = {}
    for spec in SCRIPTS:
        scripts[spec["code"]], _ = CallbackScript.objects.get_or_create(
            code=spec["code"], defaults={k: v for k, v in spec.items() if k != "code"}
        )
    for row in POLICIES:
        (code, name, segment, trigger, ratio, delay, deadline, spread, method, priority,
         mandatory, no_phone, template, script) = row  # fmt: skip
        CallbackPolicy.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "segment": segment,
                "trigger": trigger,
                "ratio": ratio,
                "delay_days": delay,
                "deadline_days": deadline,
                "spread_days": spread,
                "method": method,
                "priority": priority,
                "mandatory": mandatory,
                "address_without_phone": no_phone,
                "sms_template": template,
                "script": scripts.get(script),
            },
        )
    if not QuietPeriod.objects.exists():
        for start, end in QUIET_PERIODS:
            QuietPeriod.objects.create(start=start, end=end)
