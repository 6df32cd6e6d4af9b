"""A small labelled set for the hall's search on the demo data (issue 13.1), decided by reading the
demo challenges: each query is a keyword of one public demo challenge (its title's words) and
finds that challenge; the queries of NOTHING occur in no public demo challenge."""

# query -> the title of the one relevant public demo challenge
OWN_KEYWORDS = {
    "碳化硅": "车规级碳化硅功率模块低热阻封装技术攻关",
    "碳化硅 功率模块 封装": "车规级碳化硅功率模块低热阻封装技术攻关",
    "硫化物电解质": "全固态电池用高电导空气稳定硫化物电解质材料开发",
    "固态电池": "全固态电池用高电导空气稳定硫化物电解质材料开发",
    "自动驾驶 仿真": "自主可控的自动驾驶场景仿真测试工业软件",
    "生物反应器": "2000 L一次性生物反应器及配套细胞培养袋国产化",
    "细胞培养袋": "2000 L一次性生物反应器及配套细胞培养袋国产化",
    "CAR-T": "封闭式自动化CAR-T细胞制备系统及工艺开发",
    "蓝光发光材料": "喷墨打印OLED用高效长寿命蓝光发光材料及墨水",
    "OLED 墨水": "喷墨打印OLED用高效长寿命蓝光发光材料及墨水",
    "Micro-LED 巨量转移": "Micro-LED巨量转移与检测修复成套装备",
    "轴承 故障预测": "城轨车辆走行部轴承在线监测与故障预测系统",
    "RV减速器": "工业机器人用高精度长寿命RV减速器研制",
    "減速器": "工业机器人用高精度长寿命RV减速器研制",  # Traditional script
    "天然气水合物": "海域天然气水合物降压开采防砂与井下监测装备",
    "催化燃烧": "含氯VOCs低温催化燃烧非贵金属催化剂开发",
    "跨链 隐私计算": "面向产业链供应链金融的高性能跨链互通与隐私计算平台",
    "光线追踪 渲染引擎": "支持国产GPU的实时光线追踪渲染引擎",
}

NOTHING = ["zzzz不存在", "无人机", "量子计算", "石墨烯", "基因编辑", "卫星导航", "氢燃料电池", "钙钛矿光伏",
           "脑机接口", "光刻胶"]  # 光刻胶: that challenge is only scheduled, not public yet

# Other demo challenges that are just as relevant to a query (the contract and review demo data add
# challenges on the same technologies): a result among these counts as relevant too.
SIC = ("车规级碳化硅模块银烧结工艺验证", "800V 电驱碳化硅功率模块双面散热封装",
       "地铁牵引变流器碳化硅功率模块国产化替代与装车验证")
ALSO_RELEVANT = {
    "碳化硅": SIC,
    "碳化硅 功率模块 封装": SIC,
    "生物反应器": ("生物反应器一次性袋膜材料国产化",),
    "CAR-T": ("CAR-T用慢病毒载体悬浮培养规模化生产工艺",),
    "RV减速器": ("RV 减速器回差在线补偿",),
    "減速器": ("RV 减速器回差在线补偿",),
}
