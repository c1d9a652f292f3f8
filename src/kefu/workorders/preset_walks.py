"""Ways through each shipped process template, as data: the demo walks its
orders along them and the tests prove every preset end to end with them.

A step is ``(action, actor, values)``. ``actor`` is ``agent``, ``lead`` (a
senior agent or supervisor), ``manager`` or ``handler:<department function>``.
In ``values``, ``"@<function>"`` stands for a department of that function the
order may go to, and ``"file:<name>"`` for an uploaded file."""

from django.core.files.uploadedfile import SimpleUploadedFile

from kefu.workorders.process_fields import departments_for

SATISFIED = {"satisfaction": "satisfied", "callback_note": "业主表示维修及时，满意。"}
DISSATISFIED = {"satisfaction": "dissatisfied", "callback_note": "业主反映仍有渗水，要求重新处理。"}

# preset code -> (order type code, title, [(path name, expected end state, steps)])
WALKS = {
    "pm_repair": (
        "pm_repair",
        "厨房水管漏水",
        [
            (
                "immediate repair with a charge to finance",
                "archived",
                [
                    (
                        "dispatch_now",
                        "agent",
                        {"department": "@engineering", "repair_mode": "immediate"},
                    ),
                    ("accept", "handler:engineering", {}),
                    (
                        "complete",
                        "handler:engineering",
                        {
                            "result": "更换进水软管",
                            "materials": "不锈钢软管1根",
                            "charge_amount": "80",
                        },
                    ),
                    ("return_sheet", "agent", {"sheet_signed": "on"}),
                    ("to_finance", "agent", {"department": "@finance"}),
                    ("billed", "handler:finance", {"receipt_number": "SJ-20261203-018"}),
                    ("inform_after_billing", "agent", {"reply_note": "已修复，收费80元已入账。"}),
                    ("callback", "agent", SATISFIED),
                    ("archive", "agent", {}),
                ],
            ),
            (
                "scheduled repair, dissatisfied callback, repaired again",
                "archived",
                [
                    (
                        "schedule",
                        "agent",
                        {
                            "department": "@engineering",
                            "appointment_at": "2026-12-05T10:00",
                            "repair_mode": "scheduled",
                        },
                    ),
                    ("accept", "handler:engineering", {}),
                    ("complete", "handler:engineering", {"result": "紧固接头"}),
                    ("return_sheet", "agent", {"sheet_signed": "on"}),
                    ("inform", "agent", {"reply_note": "已上门紧固接头。"}),
                    ("reopen", "agent", DISSATISFIED),
                    ("accept", "handler:engineering", {}),
                    ("complete", "handler:engineering", {"result": "更换接头并试水"}),
                    ("return_sheet", "agent", {"sheet_signed": "on"}),
                    ("inform", "agent", {"reply_note": "已更换接头，试水正常。"}),
                    ("callback", "agent", SATISFIED),
                    ("archive", "agent", {}),
                ],
            ),
        ],
    ),
    "key_lending": (
        "key_lending",
        "借用单元门钥匙",
        [
            (
                "owner borrows",
                "returned",
                [
                    (
                        "verify_owner",
                        "agent",
                        {"borrower_name": "王建国", "borrower_id": "310101198001011234"},
                    ),
                    ("lend", "agent", {"key_number": "K-11-0302", "expected_return": "2026-12-04"}),
                    ("record_return", "agent", {"returned_on": "2026-12-04"}),
                ],
            ),
            (
                "a non-owner with the owner's consent",
                "returned",
                [
                    (
                        "verify_non_owner",
                        "agent",
                        {
                            "borrower_name": "李师傅（装修）",
                            "borrower_id": "320102197505054321",
                            "owner_consent": "on",
                            "consent_by": "业主王建国12月3日电话同意",
                        },
                    ),
                    ("lend", "agent", {"key_number": "K-11-0302", "expected_return": "2026-12-10"}),
                    ("record_return", "agent", {"returned_on": "2026-12-09"}),
                ],
            ),
            ("refused", "refused", [("refuse", "agent", {"reason": "无法联系业主确认。"})]),
        ],
    ),
    "parking_lease": (
        "parking_lease",
        "申请租用地下车位",
        [
            (
                "lease, renewal, end",
                "ended",
                [
                    (
                        "check_documents",
                        "agent",
                        {"plate_number": "沪A·D1234", "documents_ok": "on"},
                    ),
                    ("sign_commitment", "agent", {"commitment_signed": "on"}),
                    (
                        "issue_permit",
                        "agent",
                        {
                            "space_number": "B2-118",
                            "permit_number": "TC-2026-0118",
                            "monthly_fee": "450",
                            "lease_end": "2027-05-31",
                        },
                    ),
                    ("renew", "agent", {"lease_end": "2027-11-30"}),
                    ("end_lease", "agent", {"reason": "业主出售车辆。"}),
                ],
            ),
        ],
    ),
    "gas_activation": (
        "gas_activation",
        "新装燃气开通",
        [
            (
                "owner absent once, then activated",
                "activated",
                [
                    (
                        "add_to_list",
                        "agent",
                        {"meter_number": "RQ8812345", "list_week": "2026-12-07"},
                    ),
                    ("send_list", "agent", {}),
                    ("owner_absent", "agent", {"owner_present": "absent"}),
                    ("tell_owner", "agent", {"phone_told": "on", "list_week": "2026-12-14"}),
                    ("send_list", "agent", {}),
                    (
                        "record_activation",
                        "agent",
                        {"owner_present": "present", "meter_reading": "0.5"},
                    ),
                ],
            ),
        ],
    ),
    "house_handover": (
        "house_handover",
        "11栋302室收楼",
        [
            (
                "fees outstanding first, then handed over",
                "completed",
                [
                    (
                        "check_identity",
                        "agent",
                        {
                            "identity_checked": "on",
                            "prior_steps_done": "on",
                            "fees_amount": "3860.50",
                        },
                    ),
                    ("fees_outstanding", "agent", {"note": "业主需回家取银行卡。"}),
                    ("settle_fees", "agent", {"fees_settled": "on"}),
                    (
                        "sign_handbook",
                        "agent",
                        {"handbook_signed": "on", "id_copies": "file:id.pdf"},
                    ),
                    ("hand_keys", "agent", {"keys_count": "4"}),
                    (
                        "record_meters",
                        "agent",
                        {"water_reading": "12", "electricity_reading": "35.6"},
                    ),
                ],
            ),
        ],
    ),
    "vacant_inspection": (
        "vacant_inspection",
        "空置房月度巡查",
        [
            (
                "no problem",
                "closed",
                [("record_ok", "agent", {"inspected_on": "2026-12-02", "issue_found": "none"})],
            ),
            (
                "problem found and fixed",
                "closed",
                [
                    (
                        "record_issue",
                        "agent",
                        {
                            "inspected_on": "2026-12-02",
                            "issue_found": "found",
                            "findings": "卫生间顶棚渗水",
                            "department": "@engineering",
                        },
                    ),
                    ("rectify", "handler:engineering", {"result": "楼上防水层修补完成"}),
                    ("verify", "agent", {}),
                ],
            ),
        ],
    ),
    "fee_arrears": (
        "fee_arrears",
        "物业费欠缴催缴",
        [
            (
                "promised, chased, paid",
                "paid",
                [
                    (
                        "send_notice",
                        "agent",
                        {
                            "period": "2026年第三季度",
                            "amount_due": "1260",
                            "notice_method": "notice",
                        },
                    ),
                    ("record_promise", "agent", {"promised_on": "2026-12-15"}),
                    (
                        "chase_again",
                        "agent",
                        {"notice_method": "phone", "note": "承诺日未缴，再次电话提醒。"},
                    ),
                    ("record_payment", "agent", {"paid_amount": "1260"}),
                ],
            ),
            (
                "referred",
                "referred",
                [
                    (
                        "send_notice",
                        "agent",
                        {"period": "2026年全年", "amount_due": "5040", "notice_method": "sms"},
                    ),
                    ("refer", "lead", {"reason": "长期拒缴，移交管理处。"}),
                ],
            ),
        ],
    ),
    "community_event": (
        "community_event",
        "元旦游园会",
        [
            (
                "returned once, then held and recorded",
                "recorded",
                [
                    (
                        "submit_plan",
                        "agent",
                        {"plan": "猜灯谜、亲子游戏", "budget": "3000", "event_date": "2026-12-31"},
                    ),
                    ("return_plan", "manager", {"reason": "请补充安全预案。"}),
                    (
                        "submit_plan",
                        "agent",
                        {
                            "plan": "猜灯谜、亲子游戏，附安全预案",
                            "budget": "3000",
                            "event_date": "2026-12-31",
                        },
                    ),
                    ("approve", "manager", {}),
                    (
                        "prepare",
                        "agent",
                        {
                            "venue": "中心花园",
                            "programme": "14:00开幕，14:30游戏",
                            "procurement": "奖品、灯笼",
                            "safety": "秩序维护部4人值守",
                            "staffing": "客服2人、工程1人",
                        },
                    ),
                    ("announce", "agent", {"notice": "元旦游园会，欢迎业主参加。"}),
                    ("hold", "agent", {"attendance": "120"}),
                    ("clean_up", "agent", {}),
                    ("settle", "agent", {"actual_cost": "2860"}),
                    (
                        "record",
                        "agent",
                        {"summary": "活动顺利，业主反响好。", "photos": "file:event.jpg"},
                    ),
                ],
            ),
        ],
    ),
    "aftersales_complaint": (
        "aftersales_complaint",
        "经销商反映冰箱门封条开裂",
        [
            (
                "factory at fault: parts, allowance approved",
                "closed",
                [
                    (
                        "send_to_sales",
                        "agent",
                        {
                            "source": "dealer",
                            "dealer_name": "上海徐汇经销商",
                            "product_model": "BCD-520W",
                            "department": "@sales",
                        },
                    ),
                    ("verify", "handler:sales", {"sales_verified": "on"}),
                    ("judge", "lead", {"cause": "门封条材料老化", "responsibility": "factory"}),
                    ("request_parts", "lead", {"remedy": "parts", "department": "@factory"}),
                    ("factory_date", "handler:factory", {"delivery_date": "2026-12-06"}),
                    (
                        "factory_analysis",
                        "handler:factory",
                        {
                            "cause_analysis": "供应商批次不良",
                            "improvement_plan": "更换供应商，来料全检",
                        },
                    ),
                    ("factory_close", "handler:factory", {"result": "配件已发出"}),
                    ("inform_dealer", "agent", {"reply_note": "配件12月6日到货。"}),
                    (
                        "propose_allowance",
                        "lead",
                        {
                            "compensation": "allowance_95",
                            "compensation_amount": "249",
                            "photos": "file:seal.jpg",
                        },
                    ),
                    ("approve_allowance", "manager", {"gm_approved": "on"}),
                ],
            ),
            (
                "factory at fault: replacement, return and reissue",
                "closed",
                [
                    (
                        "send_to_sales",
                        "agent",
                        {"source": "consumer", "product_model": "BCD-520W", "department": "@sales"},
                    ),
                    ("verify", "handler:sales", {"sales_verified": "on"}),
                    ("judge", "lead", {"cause": "出厂压缩机故障", "responsibility": "factory"}),
                    ("ship_replacement", "lead", {"remedy": "replacement", "note": "整机换新"}),
                    ("inform_dealer", "agent", {"reply_note": "新机已发出。"}),
                    (
                        "return_reissue",
                        "lead",
                        {"compensation": "return_reissue", "note": "退货重开发票"},
                    ),
                ],
            ),
            (
                "not the factory",
                "closed",
                [
                    (
                        "send_to_sales",
                        "agent",
                        {"source": "consumer", "product_model": "BCD-520W", "department": "@sales"},
                    ),
                    ("verify", "handler:sales", {"sales_verified": "on"}),
                    ("judge", "lead", {"cause": "用户自行拆卸", "responsibility": "customer"}),
                    ("not_factory", "lead", {"result": "向用户说明正确使用方法"}),
                    ("inform_dealer", "agent", {"reply_note": "非质量问题。"}),
                    ("close_no_compensation", "lead", {"compensation": "none"}),
                ],
            ),
        ],
    ),
    "it_service": (
        "it_service",
        "门禁系统无法识别卡片",
        [
            (
                "new demand to sales",
                "with_sales",
                [
                    (
                        "pass_to_sales",
                        "agent",
                        {"request_kind": "new_demand", "department": "@sales"},
                    )
                ],
            ),
            (
                "handled directly",
                "archived",
                [
                    (
                        "handle_directly",
                        "agent",
                        {"request_kind": "simple", "reply_note": "指导重启读卡器后恢复。"},
                    ),
                    ("callback", "agent", SATISFIED),
                    ("archive", "agent", {}),
                ],
            ),
            (
                "maintenance by the technical department",
                "archived",
                [
                    (
                        "send_notice",
                        "agent",
                        {
                            "request_kind": "maintenance",
                            "product": "门禁系统V3",
                            "maintenance_notice": "读卡模块故障，请上门更换。",
                            "department": "@technical",
                        },
                    ),
                    ("finish", "handler:technical", {"result": "更换读卡模块"}),
                    ("inform", "agent", {"reply_note": "已上门更换读卡模块。"}),
                    ("callback", "agent", SATISFIED),
                    ("archive", "agent", {}),
                ],
            ),
        ],
    ),
    "ecom_return": (
        "ecom_return",
        "申请退货",
        [
            (
                "return and refund",
                "refunded",
                [
                    (
                        "approve",
                        "agent",
                        {
                            "shop_order": "TB20261201888",
                            "kind": "return",
                            "return_reason": "size",
                            "model": "X-200",
                            "quantity": "1",
                        },
                    ),
                    ("receive", "agent", {"return_tracking": "SF1234567890", "goods_ok": "on"}),
                    ("refund", "agent", {"refund_amount": "199"}),
                ],
            ),
            (
                "exchange",
                "exchanged",
                [
                    (
                        "approve",
                        "agent",
                        {
                            "shop_order": "TB20261201999",
                            "kind": "exchange",
                            "return_reason": "quality",
                            "model": "X-200",
                            "quantity": "2",
                        },
                    ),
                    ("receive", "agent", {"return_tracking": "YT9876543210", "goods_ok": "on"}),
                    ("send_exchange", "agent", {"new_tracking": "SF2233445566"}),
                ],
            ),
        ],
    ),
    "ecom_unshipped": (
        "ecom_unshipped",
        "订单当日未能发货",
        [
            (
                "in stock: shipped",
                "shipped",
                [
                    (
                        "notify",
                        "agent",
                        {
                            "shop_order": "JD8800123",
                            "delay_reason": "peak",
                            "expected_ship": "2026-12-04",
                            "customer_notified": "on",
                        },
                    ),
                    ("ship", "agent", {"stock": "in_stock", "tracking": "SF5566778899"}),
                ],
            ),
            (
                "not in stock: cancelled",
                "cancelled",
                [
                    (
                        "notify",
                        "agent",
                        {
                            "shop_order": "JD8800456",
                            "delay_reason": "out_of_stock",
                            "expected_ship": "2026-12-10",
                            "customer_notified": "on",
                        },
                    ),
                    (
                        "cancel_refund",
                        "agent",
                        {"stock": "not_in_stock", "reply_note": "缺货，已与客户协商退款。"},
                    ),
                ],
            ),
        ],
    ),
    "ecom_review": (
        "ecom_review",
        "差评回访",
        [
            (
                "called, review revised",
                "closed",
                [
                    (
                        "call",
                        "agent",
                        {
                            "rating": "negative",
                            "review_text": "物流太慢",
                            "call_result": "致歉并说明原因",
                        },
                    ),
                    ("close", "agent", {"revised": "yes"}),
                ],
            ),
        ],
    ),
}


def resolve_values(order, values):
    """The form data of a step: departments and files made real."""
    data, files = {}, {}
    for name, value in values.items():
        if isinstance(value, str) and value.startswith("@"):
            # The nearest one: a project's own finance before the group's.
            candidates = departments_for(order).filter(function=value[1:])
            department = max(candidates, key=lambda d: len(d.unit.path), default=None)
            data[name] = str(department.pk) if department else ""
        elif isinstance(value, str) and value.startswith("file:"):
            files[name] = SimpleUploadedFile(value[5:], b"demo file", "application/octet-stream")
        else:
            data[name] = value
    return data, files
