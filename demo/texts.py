"""The demo's words in both languages: what customers say about each kind of appliance, the parts'
Chinese names, names and addresses as people in Suzhou write them. A household speaks one language,
so its name, address and fault reports read as real together."""
from __future__ import annotations

import random

# What goes wrong, by product line, as a customer says it: (English, Chinese). The first entries are
# repairs; the last two of each line are an installation and a usage question, so every category shows.
FAULTS_BY_LINE: dict[str, list[tuple[str, str]]] = {
    "cooling": [
        ("Not cooling since yesterday, the food is getting warm", "冰箱从昨天开始不制冷，里面的东西都化了"),
        ("The freezer is full of frost and the fridge part is warm", "冷冻室结了一层厚霜，冷藏室却不凉"),
        ("Water is pooling under the vegetable drawer", "冷藏室蔬菜抽屉下面积水"),
        ("The compressor clicks on and off every few minutes", "压缩机每隔几分钟就咔哒一声启停"),
        ("The door seal is torn and the door does not close tightly", "门封条破了，门关不严"),
        ("Please install the new fridge and connect the ice maker", "新买的冰箱需要上门安装并接制冰机水管"),
        ("How do I set the holiday mode?", "请问假日模式怎么设置？"),
    ],
    "climate": [
        ("Not cooling, only blowing warm air", "空调不制冷，只吹热风"),
        ("Water drips from the indoor unit onto the wall", "室内机漏水，顺着墙往下流"),
        ("Error code E4 on the display and it will not start", "显示E4故障代码，无法开机"),
        ("The outdoor unit makes a loud rattling noise", "室外机有很大的异响"),
        ("It blows cold air when set to heat", "开了制热却一直吹冷风"),
        ("Please install the new air conditioner in the bedroom", "新买的空调需要上门安装到卧室"),
        ("How do I set the timer on the remote control?", "请问遥控器上的定时功能怎么设置？"),
    ],
    "laundry": [
        ("The washer won't drain, water stays in the drum", "洗衣机不排水，桶里一直有水"),
        ("Leaking water under the machine after every wash", "每次洗完衣服机器下面都漏水"),
        ("The drum does not spin, error code E21", "滚筒不转，显示E21"),
        ("The door will not open after the wash", "洗完以后门打不开"),
        ("It shakes and walks across the floor when spinning", "脱水时剧烈震动，机器会移位"),
        ("Please install the new washing machine and connect the drain", "新洗衣机需要上门安装并接排水管"),
        ("How do I run the drum cleaning programme?", "请问筒自洁程序怎么用？"),
    ],
    "water": [
        ("No hot water since this morning", "热水器从早上开始不出热水"),
        ("The water heater trips the circuit breaker", "热水器一开就跳闸"),
        ("Leaking at the inlet pipe of the water heater", "热水器进水管接口漏水"),
        ("The gas heater clicks but does not ignite", "燃气热水器打火但点不着"),
        ("The purifier's water tastes bad even after a new filter", "净水器换了滤芯后出水还是有异味"),
        ("Please install the new water heater in the bathroom", "新热水器需要上门安装到卫生间"),
        ("How do I reset the filter reminder?", "请问滤芯更换提醒怎么复位？"),
    ],
    "kitchen": [
        ("The dishwasher does not drain and smells", "洗碗机不排水，还有异味"),
        ("The range hood fan makes a loud noise", "油烟机风机噪音很大"),
        ("The hob's touch panel does not respond", "电磁炉触控面板没有反应"),
        ("The oven does not heat up", "烤箱不加热"),
        ("Dishes come out dirty, the spray arm does not turn", "碗洗不干净，喷淋臂不转"),
        ("Please install the new range hood above the hob", "新买的油烟机需要上门安装"),
        ("How do I use the quick wash programme?", "请问快洗程序怎么使用？"),
    ],
    "electronics": [
        ("The screen stays black but the power light is on", "电视黑屏，电源灯亮着"),
        ("Sound but no picture", "有声音没图像"),
        ("Dark patches on one side of the screen", "屏幕一侧有暗斑"),
        ("The TV turns itself off after a few minutes", "电视开机几分钟后自动关机"),
        ("Vertical lines across the picture", "画面上有竖线"),
        ("Please mount the new TV on the living-room wall", "新电视需要上门挂墙安装"),
        ("How do I connect the TV to the Wi-Fi?", "请问电视怎么连接无线网络？"),
    ],
}

# Where one product line holds different appliances, each has its own faults (a dryer does not drain,
# a range hood has no touch panel): by product category first, then by line.
FAULTS_BY_CATEGORY: dict[str, list[tuple[str, str]]] = {
    "dryer": [
        ("The dryer runs but the clothes stay damp", "烘干机一直在转，衣服还是湿的"),
        ("The dryer stops after ten minutes with error E05", "烘干机运行十分钟就停，显示E05"),
        ("A burning smell comes from the dryer", "烘干机有焦糊味"),
        ("Please install the new dryer on top of the washer", "新烘干机需要上门叠放安装在洗衣机上"),
        ("How do I empty the condensed water tank?", "请问冷凝水盒怎么清理？"),
    ],
    "gas water heater": [
        ("The gas heater clicks but does not ignite", "燃气热水器打火但点不着"),
        ("The flame goes out after a minute of hot water", "热水出了一分钟就熄火"),
        ("Error code E1 and no hot water", "显示E1，没有热水"),
        ("Please install the new gas water heater in the kitchen", "新燃气热水器需要上门安装到厨房"),
        ("How do I set the water temperature?", "请问水温怎么设置？"),
    ],
    "water purifier": [
        ("The purifier's water tastes bad even after a new filter", "净水器换了滤芯后出水还是有异味"),
        ("Water keeps dripping from the purifier's drain", "净水器废水口一直滴水"),
        ("The purifier makes almost no clean water", "净水器几乎不出纯水"),
        ("Please install the new purifier under the sink", "新净水器需要上门安装到水槽下面"),
        ("How do I reset the filter reminder?", "请问滤芯更换提醒怎么复位？"),
    ],
    "dishwasher": [
        ("The dishwasher does not drain and smells", "洗碗机不排水，还有异味"),
        ("Dishes come out dirty, the spray arm does not turn", "碗洗不干净，喷淋臂不转"),
        ("Water leaks from the dishwasher door", "洗碗机门边漏水"),
        ("Please install the new dishwasher in the cabinet", "新洗碗机需要上门嵌入橱柜安装"),
        ("How do I use the quick wash programme?", "请问快洗程序怎么使用？"),
    ],
    "range hood": [
        ("The range hood fan makes a loud noise", "油烟机风机噪音很大"),
        ("The hood does not draw the smoke away any more", "油烟机吸不走油烟了"),
        ("Oil drips from the range hood", "油烟机往下滴油"),
        ("Please install the new range hood above the hob", "新买的油烟机需要上门安装"),
        ("How do I clean the grease filter?", "请问油网怎么清洗？"),
    ],
    "induction hob": [
        ("The hob's touch panel does not respond", "电磁炉触控面板没有反应"),
        ("One zone does not heat, error E3", "一个灶头不加热，显示E3"),
        ("The hob switches off while cooking", "做饭时电磁炉自动关机"),
        ("Please install the new induction hob in the worktop", "新电磁灶需要上门嵌入台面安装"),
        ("How do I turn off the child lock?", "请问童锁怎么解除？"),
    ],
    "oven": [
        ("The oven does not heat up", "烤箱不加热"),
        ("The oven light and fan work but it stays cold", "烤箱灯和风扇都正常，但就是不热"),
        ("The oven door glass is cracked", "烤箱门玻璃裂了"),
        ("Please install the new built-in oven", "新嵌入式烤箱需要上门安装"),
        ("How do I set the clock on the oven?", "请问烤箱上的时钟怎么设置？"),
    ],
    "water heater": [
        ("No hot water since this morning", "热水器从早上开始不出热水"),
        ("The water heater trips the circuit breaker", "热水器一开就跳闸"),
        ("Leaking at the inlet pipe of the water heater", "热水器进水管接口漏水"),
        ("Please install the new water heater in the bathroom", "新热水器需要上门安装到卫生间"),
        ("How do I use the night heating mode?", "请问夜间加热模式怎么用？"),
    ],
}

# Every part of the demo catalogue, in Chinese, as the warehouse and the technicians call it.
# The Chinese name of each demo product model, by code: the brand's Chinese name leads, as on the box.
MODEL_NAMES_ZH = {
    "RF-420": "冰川 420 升对开门冰箱",
    "RF-560X": "冰川 560 升对开门冰箱",
    "FZ-200": "冰川 200 升卧式冷柜",
    "WC-48": "窖藏 48 瓶红酒柜",
    "AC-26S": "清风 2.6 kW 分体挂机空调",
    "AC-35S": "清风 3.5 kW 分体挂机空调",
    "AC-72C": "清风 7.2 kW 立柜式空调",
    "HP-90": "暖泵 9 kW 空气源热泵",
    "WM-F10": "洁旋 10 公斤滚筒洗衣机",
    "WM-T8": "洁旋 8 公斤波轮洗衣机",
    "TD-9": "干爽 9 公斤热泵干衣机",
    "EH-60": "暖泉 60 升电热水器",
    "GH-16": "暖泉 16 升燃气热水器",
    "WP-600": "净流 600G 净水器",
    "DW-13": "净碟 13 套洗碗机",
    "RH-90": "净烟 90 厘米吸油烟机",
    "IH-2Z": "无焰 双头电磁炉",
    "OV-60": "焙好 60 升嵌入式烤箱",
    "TV-55Q": "远景 55 英寸 QLED 电视",
    "TV-65Q": "远景 65 英寸 QLED 电视",
}
PART_NAMES_ZH = {
    "Compressor 1/4 HP": "压缩机 1/4 匹", "Door gasket": "门封条", "Defrost heater": "化霜加热器",
    "Thermostat": "温控器", "Evaporator fan motor": "蒸发器风扇电机", "Main control board (cooling)": "主控板（冰箱）",
    "Water filter cartridge": "滤水芯", "Capacitor 35 uF": "电容 35 μF", "Outdoor fan motor": "室外风机电机",
    "Indoor PCB (split)": "室内机电脑板（分体机）", "Refrigerant R32 1 kg": "R32 冷媒 1 公斤", "Expansion valve": "膨胀阀",
    "Remote control": "遥控器", "Drain pump (indoor)": "排水泵（室内机）", "Drain pump": "排水泵",
    "Door lock assembly": "门锁总成", "Drive belt": "传动皮带", "Drum bearing kit": "滚筒轴承套件", "Inlet valve": "进水阀",
    "Main control board (laundry)": "主控板（洗衣机）", "Door seal (front-loader)": "门封圈（滚筒）",
    "Heating element 2 kW": "加热管 2 千瓦", "Anode rod": "镁棒", "Thermostat (water heater)": "温控器（热水器）",
    "Ignition module": "点火器", "Flow sensor": "水流传感器", "RO membrane": "RO 反渗透膜", "Gas valve": "燃气阀",
    "Circulation pump": "循环泵", "Spray arm": "喷淋臂", "Hood fan motor": "油烟机风机", "Grease filter": "油网",
    "Induction coil": "电磁线圈", "Oven heating element": "烤箱加热管", "Touch control panel": "触控面板",
    'LED backlight strip (55")': "LED 背光灯条（55 英寸）", 'LED backlight strip (65")': "LED 背光灯条（65 英寸）",
    "Power board (TV)": "电源板（电视）", "Main board (TV)": "主板（电视）", "T-con board": "逻辑板",
}

SURNAMES = [("Wang", "王"), ("Li", "李"), ("Zhang", "张"), ("Liu", "刘"), ("Chen", "陈"), ("Yang", "杨"),
            ("Zhao", "赵"), ("Huang", "黄"), ("Zhou", "周"), ("Wu", "吴"), ("Xu", "徐"), ("Sun", "孙"), ("Hu", "胡"),
            ("Zhu", "朱"), ("Gao", "高"), ("Lin", "林"), ("He", "何"), ("Guo", "郭"), ("Ma", "马"), ("Luo", "罗")]
GIVEN = [("Wei", "伟"), ("Fang", "芳"), ("Na", "娜"), ("Min", "敏"), ("Jing", "静"), ("Lei", "磊"), ("Jun", "军"),
         ("Yan", "燕"), ("Tao", "涛"), ("Ming", "明"), ("Chao", "超"), ("Xia", "霞"), ("Ping", "平"), ("Gang", "刚"),
         ("Hui", "慧"), ("Qiang", "强"), ("Li", "丽"), ("Yun", "云"), ("Bo", "博"), ("Ting", "婷")]

# (English, Chinese) street names by region code; the district's Chinese name leads a Chinese address.
STREETS = {
    "gusu": [("Renmin Road", "人民路"), ("Shiquan Street", "十全街"), ("Ganjiang Road", "干将路"),
             ("Pingjiang Road", "平江路"), ("Fengmen Road", "葑门路"), ("Baita Road", "白塔路")],
    "sip": [("Xinghu Street", "星湖街"), ("Suzhou Avenue East", "苏州大道东"), ("Jinji Lake Road", "金鸡湖路"),
            ("Xinggang Street", "星港街"), ("Tongda Road", "通达路"), ("Zhongxin Avenue", "中新大道")],
    "snd": [("Shishan Road", "狮山路"), ("Binhe Road", "滨河路"), ("Changjiang Road", "长江路"),
            ("Zhujiang Road", "珠江路"), ("Tayuan Road", "塔园路"), ("Jinshan Road", "金山路")],
}
DISTRICTS_ZH = {"gusu": "姑苏区", "sip": "工业园区", "snd": "高新区"}
# Most households in Suzhou write and speak Chinese; some (expatriates, international firms) English.
CHINESE_SHARE = 0.7


def person_name(rng: random.Random, language: str) -> str:
    (surname, surname_zh), (given, given_zh) = rng.choice(SURNAMES), rng.choice(GIVEN)
    return surname_zh + given_zh if language == "zh" else f"{surname} {given}"


def address(rng: random.Random, region_code: str, language: str) -> str:
    street, street_zh = rng.choice(STREETS[region_code])
    number, building, flat = rng.randrange(1, 400), rng.randrange(1, 30), f"{rng.randrange(1, 30)}{rng.randrange(1, 4):02d}"
    if language == "zh":
        return f"苏州市{DISTRICTS_ZH[region_code]}{street_zh}{number}号{building}幢{flat}室"
    return f"{number} {street}, Building {building}, Flat {flat}, Suzhou"


def fault_text(rng: random.Random, model, language: str, *, repairs_only: bool = False) -> str:
    """A fault that fits the product model (its category, else its line), in `language` ('zh' or 'en')."""
    faults = (FAULTS_BY_CATEGORY.get(model.category) or FAULTS_BY_LINE.get(model.product_line)
              or FAULTS_BY_LINE["cooling"])
    english, chinese = rng.choice(faults[:-2] if repairs_only else faults)
    return chinese if language == "zh" else english


def language_of(name: str) -> str:
    """A demo customer's language, read back from their name (Chinese characters or pinyin)."""
    return "zh" if any("\u4e00" <= ch <= "\u9fff" for ch in name) else "en"
