"""The work-order types of SPEC §2.3 and a starter category tree, created
once after migrating; centers edit them as data afterwards."""

ORDER_TYPES = [
    # code, Chinese name, English name, process, default priority
    ("inquiry", "咨询", "Inquiry", "closed_loop", "normal"),
    ("complaint", "投诉", "Complaint", "closed_loop", "high"),
    ("repair", "报修", "Repair", "closed_loop", "normal"),
    ("special_service", "特约服务", "Paid special service", "closed_loop", "normal"),
    ("suggestion", "建议", "Suggestion", "closed_loop", "low"),
    ("business", "业务办理", "Business request", "closed_loop", "normal"),
    ("new_demand", "新增需求", "New demand", "closed_loop", "normal"),
    ("maintenance", "合同内服务", "In-contract maintenance", "closed_loop", "normal"),
    # The industry templates shipped in kefu/processes/presets (SPEC §2.3).
    ("pm_repair", "物业报修", "Property repair", "pm_repair", "normal"),
    ("key_lending", "钥匙借用", "Key lending", "key_lending", "normal"),
    ("parking_lease", "车位租赁", "Parking-space lease", "parking_lease", "normal"),
    ("gas_activation", "燃气开通", "Gas activation", "gas_activation", "normal"),
    ("house_handover", "收楼交房", "House handover", "house_handover", "normal"),
    ("vacant_inspection", "空置房巡查", "Vacant-unit inspection", "vacant_inspection", "low"),
    ("fee_arrears", "费用催缴", "Fee notice and arrears", "fee_arrears", "normal"),
    ("community_event", "社区活动", "Community event", "community_event", "low"),
    ("aftersales_complaint", "售后客诉单", "After-sales complaint", "aftersales_complaint", "high"),
    ("it_service", "技术服务请求", "IT service request", "it_service", "normal"),
    ("ecom_return", "退换货", "Return or exchange", "ecom_return", "normal"),
    ("ecom_unshipped", "当日未发货", "Not shipped today", "ecom_unshipped", "high"),
    ("ecom_review", "中差评回访", "Review follow-up", "ecom_review", "normal"),
]

CATEGORIES = {
    "repair": {
        "水电维修": ["水管漏水", "电路故障", "下水道堵塞"],
        "门窗维修": ["门锁损坏", "窗户密封"],
        "公共设施": ["电梯故障", "照明损坏", "门禁故障"],
        "家电维修": ["不制冷", "异响", "无法开机"],
    },
    "inquiry": {"收费咨询": [], "服务咨询": [], "产品咨询": [], "政策咨询": []},
    "complaint": {"服务态度": [], "维修质量": [], "响应超时": [], "环境卫生": [], "产品质量": []},
    "special_service": {"家政保洁": [], "上门安装": []},
    "business": {"钥匙借用": [], "车位租赁": [], "燃气开通": [], "退换货": []},
}


def install_order_types(**kwargs):
    from kefu.workorders.models import Category, WorkOrderType

    for position, (code, name, name_en, process, priority) in enumerate(ORDER_TYPES):
        WorkOrderType.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "name_en": name_en,
                "process_code": process,
                "default_priority": priority,
                "position": position,
            },
        )
    if Category.objects.exists():
        return
    for type_code, tree in CATEGORIES.items():
        order_type = WorkOrderType.objects.get(code=type_code)
        for top, children in tree.items():
            parent = Category.objects.create(order_type=order_type, name=top)
            for child in children:
                Category.objects.create(order_type=order_type, name=child, parent=parent)
