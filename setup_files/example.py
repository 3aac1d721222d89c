"""A small, complete, consistent example world to start from: one region of Suzhou with its office
hours, three technicians (with their accounts, skills, shifts, a day off and vans), office staff,
four product models with their parts and warranty policies, SLA policies, a central and a regional
warehouse, two suppliers, restock rules, opening stock (central, regional, in the vans) and six
registered appliances. It imports cleanly into an
empty database; edit the files to make it your own."""
from __future__ import annotations

import csv
from pathlib import Path

from setup_files.kinds import BY_NAME

# Every example account has this password; change it after the first sign-in.
EXAMPLE_PASSWORD = "aftercare-example"

FILES: dict[str, list[list[str]]] = {
    "users": [
        ["username", "display_name", "role", "password", "locale", "active"],
        ["agent.li", "李娜", "agent", EXAMPLE_PASSWORD, "zh_CN", "true"],
        ["dispatch.zhou", "周敏", "dispatcher", EXAMPLE_PASSWORD, "zh_CN", "true"],
        ["stock.chen", "陈杰", "warehouse", EXAMPLE_PASSWORD, "zh_CN", "true"],
        ["manager.xu", "徐慧", "manager", EXAMPLE_PASSWORD, "en", "true"],
        ["tech.wang", "王磊", "technician", EXAMPLE_PASSWORD, "", "true"],
        ["tech.zhang", "张伟", "technician", EXAMPLE_PASSWORD, "zh_CN", "true"],
        ["tech.liu", "刘洋", "technician", EXAMPLE_PASSWORD, "en", "true"],
    ],
    "regions": [
        ["code", "name", "center_lat", "center_lon", "time_zone", "road_factor", "speed_kmh", "service_radius_km"],
        ["gusu", "姑苏区 Gusu", "31.311", "120.617", "Asia/Shanghai", "1.35", "28", "25"],
    ],
    "business_hours": [["region", "weekday", "opens", "closes"]]
    + [["gusu", str(day), "08:30", "18:00"] for day in range(6)],
    "warranty_policies": [
        ["code", "name", "return_days", "exchange_days", "free_repair_months", "repeat_repair_limit"],
        ["cooling-12", "制冷家电三包：7天退货，15天换货，整机保修12个月", "7", "15", "12", "2"],
        ["major-36", "大家电三包：7天退货，15天换货，整机保修36个月", "7", "15", "36", "2"],
        ["standard-12", "标准三包：7天退货，15天换货，保修12个月", "7", "15", "12", "2"],
    ],
    "warranty_component_terms": [
        ["policy", "component", "free_repair_months"],
        ["cooling-12", "compressor", "36"],
        ["major-36", "compressor", "72"],
    ],
    "sla_policies": [
        ["code", "name", "category", "priority", "business_hours_only", "respond_minutes", "repair_minutes",
         "satisfaction_target", "respond_target", "repair_target"],
        ["default", "Respond in 2 h, repair in 3 days", "", "", "false", "120", "4320", "0.95", "0.95", "0.9"],
        ["urgent", "Urgent: respond in 1 h, repair in 1 day", "", "urgent", "false", "60", "1440", "0.95", "0.95",
         "0.9"],
        ["installation", "Installation within 2 business days", "installation", "", "true", "240", "1080", "0.95",
         "0.95", "0.9"],
    ],
    "parts": [
        ["sku", "name", "name_zh", "unit_cost", "customer_price"],
        ["P-0001", "Compressor 1/4 HP", "压缩机 1/4 匹", "420.00", "560.00"],
        ["P-0002", "Door gasket", "门封条", "38.00", "60.00"],
        ["P-0003", "Thermostat", "温控器", "45.00", "75.00"],
        ["P-0004", "Capacitor 35 uF", "启动电容 35 uF", "18.00", "35.00"],
        ["P-0005", "Outdoor fan motor", "室外风机电机", "160.00", "230.00"],
        ["P-0006", "Drain pump", "排水泵", "65.00", "110.00"],
        ["P-0007", "Door lock assembly", "门锁总成", "55.00", "90.00"],
        ["P-0008", "Heating element 2 kW", "加热管 2 kW", "70.00", "120.00"],
        ["P-0009", "Anode rod", "镁棒", "25.00", "45.00"],
    ],
    "suppliers": [
        ["code", "name", "normal_lead_hours", "expedited_lead_hours", "expedite_fee"],
        ["SUP-HAIRUI", "苏州海瑞家电配件", "72", "20", "80.00"],
        ["SUP-YANGTZE", "无锡长江配件", "48", "12", "150.00"],
    ],
    "supplier_parts": [["supplier", "sku", "unit_cost"]]
    + [["SUP-HAIRUI", f"P-{n:04d}", "0"] for n in range(1, 10)]
    + [["SUP-YANGTZE", f"P-{n:04d}", "0"] for n in (1, 4, 5, 8)],
    "warehouses": [
        ["code", "name", "kind", "address", "latitude", "longitude", "serves_regions"],
        ["WH-CENTRAL", "相城中心仓 Central warehouse", "central", "苏州市相城区澄阳路 88 号", "31.369", "120.642", "gusu"],
        ["WH-GUSU", "姑苏区服务网点 Gusu depot", "regional", "苏州市姑苏区干将西路 520 号", "31.307", "120.602", "gusu"],
        ["VAN-01", "王磊的服务车", "van", "", "", "", ""],
        ["VAN-02", "张伟的服务车", "van", "", "", "", ""],
        ["VAN-03", "刘洋的服务车", "van", "", "", "", ""],
    ],
    "restock_rules": [["warehouse", "sku", "min_quantity", "max_quantity", "reorder_multiple", "auto_create"]]
    + [["WH-GUSU", sku, "2", "8", "2", "true"] for sku in ("P-0002", "P-0003", "P-0004", "P-0006", "P-0009")],
    "stock_counts": [["warehouse", "sku", "on_hand"]]
    + [["WH-CENTRAL", f"P-{n:04d}", str(20 + 5 * (n % 3))] for n in range(1, 10)]
    + [["WH-GUSU", sku, "6"] for sku in ("P-0002", "P-0003", "P-0004", "P-0006", "P-0009")]
    + [["VAN-01", "P-0002", "2"], ["VAN-01", "P-0003", "2"], ["VAN-01", "P-0004", "3"],
       ["VAN-02", "P-0006", "2"], ["VAN-02", "P-0009", "3"], ["VAN-03", "P-0004", "2"]],
    "product_models": [
        ["code", "name", "name_zh", "category", "product_line", "warranty_policy", "repair_skill",
         "min_skill_level", "service_minutes", "parts"],
        ["RF-420", "FrostLine 420 L fridge-freezer", "冰川 420 升对开门冰箱", "refrigerator", "cooling", "cooling-12",
         "refrigeration", "1", "60", "P-0001;P-0002;P-0003"],
        ["AC-35S", "Breeze 3.5 kW split air conditioner", "清风 3.5 kW 分体空调", "air conditioner", "climate",
         "major-36", "hvac", "2", "60", "P-0001;P-0004;P-0005"],
        ["WM-F10", "AquaSpin 10 kg front-loader", "洁旋 10 公斤滚筒洗衣机", "washing machine", "laundry",
         "standard-12", "laundry", "1", "50", "P-0006;P-0007"],
        ["EH-60", "HotSpring 60 L water heater", "暖泉 60 升电热水器", "water heater", "water", "standard-12",
         "water_heating", "1", "45", "P-0008;P-0009"],
    ],
    "technicians": [
        ["username", "region", "home_lat", "home_lon", "home_address", "daily_job_cap", "van"],
        ["tech.wang", "gusu", "31.318", "120.612", "苏州市姑苏区人民路 1200 号", "8", "VAN-01"],
        ["tech.zhang", "gusu", "31.301", "120.628", "苏州市姑苏区十全街 300 号", "8", "VAN-02"],
        ["tech.liu", "gusu", "31.322", "120.631", "苏州市姑苏区平江路 88 号", "6", "VAN-03"],
    ],
    "technician_skills": [
        ["username", "skill", "level", "certified_until"],
        ["tech.wang", "refrigeration", "3", "2030-06-30"],
        ["tech.wang", "hvac", "2", "2030-06-30"],
        ["tech.zhang", "laundry", "2", ""],
        ["tech.zhang", "water_heating", "2", "2029-12-31"],
        ["tech.liu", "hvac", "3", "2030-06-30"],
        ["tech.liu", "refrigeration", "1", "2029-12-31"],
    ],
    "technician_shifts": [["username", "weekday", "start", "end", "break_earliest", "break_latest_end",
                           "break_minutes"]]
    + [["tech.wang", str(d), "08:00", "18:00", "11:30", "14:00", "45"] for d in range(5)]
    + [["tech.zhang", str(d), "08:00", "18:00", "11:30", "14:00", "45"] for d in range(5)]
    + [["tech.liu", str(d), "10:00", "20:00", "12:00", "14:30", "45"] for d in range(1, 7)],
    "technician_days_off": [
        ["username", "day", "reason"],
        ["tech.zhang", "2026-12-25", "年假 Annual leave"],
    ],
    "assets": [
        ["serial", "model", "customer_name", "customer_phone", "customer_email", "region", "address", "latitude",
         "longitude", "purchase_date", "installed_on", "qr_token"],
        ["RF-420-2600001", "RF-420", "张伟", "+86 138 0000 0001", "", "gusu", "苏州市姑苏区十全街 12 号 3 幢 201 室",
         "31.3005", "120.6290", "2026-03-01", "2026-03-03", ""],
        ["AC-35S-2600002", "AC-35S", "张伟", "+86 138 0000 0001", "", "gusu", "苏州市姑苏区十全街 12 号 3 幢 201 室",
         "31.3005", "120.6290", "2025-06-18", "2025-06-20", ""],
        ["WM-F10-2600003", "WM-F10", "王芳", "+86 139 0000 0002", "wangfang@example.com", "gusu",
         "苏州市姑苏区人民路 560 号 8 幢 1102 室", "31.3150", "120.6160", "2026-09-10", "2026-09-10", ""],
        ["EH-60-2600004", "EH-60", "李强", "+86 137 0000 0003", "", "gusu", "苏州市姑苏区平江路 210 号",
         "31.3205", "120.6335", "2024-11-02", "2024-11-05", ""],
        ["RF-420-2600005", "RF-420", "陈静", "+86 136 0000 0004", "", "gusu", "苏州市姑苏区干将东路 99 号 2 幢 602 室",
         "31.3090", "120.6300", "2026-11-20", "2026-11-21", ""],
        ["AC-35S-2600006", "AC-35S", "Emily Chen", "+86 135 0000 0005", "emily@example.com", "gusu",
         "苏州市姑苏区凤凰街 58 号 1 幢 301 室", "31.2985", "120.6240", "2026-05-12", "2026-05-14", ""],
    ],
}


def _priced_supplier_parts() -> None:
    """Suppliers' prices follow the parts' own cost: Hairui at list, Yangtze 8 % dearer (it delivers faster)."""
    cost = {row[0]: float(row[3]) for row in FILES["parts"][1:]}
    for row in FILES["supplier_parts"][1:]:
        row[2] = f"{cost[row[1]] * (1.0 if row[0] == 'SUP-HAIRUI' else 1.08):.2f}"


_priced_supplier_parts()


def write_example(path: Path) -> list[str]:
    """Write the example world's CSV files into `path` (created if missing); returns their names."""
    path.mkdir(parents=True, exist_ok=True)
    names = []
    for kind, rows in FILES.items():
        assert kind in BY_NAME, kind
        name = f"{kind}.csv"
        with (path / name).open("w", encoding="utf-8", newline="") as out:
            csv.writer(out).writerows(rows)
        names.append(name)
    return names
