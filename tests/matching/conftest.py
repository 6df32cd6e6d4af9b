from pathlib import Path

import pytest

from matching import SearchIndex

DATA = Path(__file__).parent / "data"

DOCS = [
    ("team:1", "我们团队研究锂离子电池的固态电解质和动力电池管理系统，服务新能源汽车。"),
    ("team:2", "OLED显示面板与柔性显示驱动芯片设计，覆盖AMOLED工艺。"),
    ("team:3", "5G通信基站的射频功率放大器，采用SiC和GaN功率器件。"),
    ("team:4", "基于Caco-2细胞单层膜模型研究生物活性肽的转运吸收。"),
    ("challenge:1", "征集动力电池热失控预警算法，要求符合GB/T 7714引用规范。"),
    ("challenge:2", "工业机器人视觉定位与数控机床误差补偿。"),
    ("challenge:3", "Deep learning for defect detection on PCB boards."),
    ("challenge:4", "城市轨道交通信号系统的故障诊断与健康管理。"),
]


@pytest.fixture
def docs():
    return list(DOCS)


@pytest.fixture
def index(docs):
    return SearchIndex().fit(docs)
