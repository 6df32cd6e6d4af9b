"""The portal: 通知公告, 政策文件 and 办事指南 — read-only content the bureau maintains as YAML under seeds/portal."""
