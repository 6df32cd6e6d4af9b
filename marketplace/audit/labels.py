"""Every audit action the platform writes, as a Chinese name and a sentence ("张三 将榜单“…”从待审核改为揭榜中").

One table: {action: (name, sentence template)}. The name labels the audit page's filter; the template is
filled with the actor, the subject ("榜单“…”"), the states before and after and the event's summary.
tests/domain/test_audit_labels.py fails when the code writes an action that is missing here.

Placeholders: {actor} {subject} {before} {after} {fields} (the changed fields, by their Chinese names)
and {detail} (a comment or reason from the summary). A missing value renders as "".
"""

from __future__ import annotations

import string
from collections.abc import Mapping

from marketplace.audit.models import AuditEvent

MOVE = "{actor} 将{subject}从{before}改为{after}"  # a state change, in the words

ACTIONS: dict[str, tuple[str, str]] = {
    # accounts and sign-in
    "account.registered": ("注册", "{actor} 注册了账号，登记{subject}"),
    "join_request.requested": ("申请加入单位", "{actor} 申请加入{subject}"),
    "join_request.approve": ("同意加入单位", "{actor} 同意了加入申请（{subject}）"),
    "join_request.reject": ("拒绝加入单位", "{actor} 拒绝了加入申请（{subject}）{detail}"),
    "organisation.verify": ("单位认证通过", MOVE + "{detail}"),
    "organisation.reject": ("单位认证未通过", MOVE + "{detail}"),
    "organisation.evidence": ("提交单位认证材料", "{actor} 为{subject}提交了认证材料：{fields}"),
    "user.created": ("开通账号", "{actor} 开通了{subject}"),
    "user.disabled": ("停用账号", "{actor} 停用了{subject}"),
    "user.enabled": ("启用账号", "{actor} 启用了{subject}"),
    "user.role_changed": ("修改角色", "{actor} 将{subject}的角色从{before}改为{after}"),
    "user.password_changed": ("修改密码", "{actor} 修改了自己的密码"),
    "user.password_reset": ("重设密码", "{actor} 通过找回密码重设了密码"),
    "auth.login": ("登录", "{actor} 登录"),
    "auth.logout": ("退出", "{actor} 退出登录"),
    "auth.login_failed": ("登录失败", "{actor} 登录失败"),
    "auth.token_issued": ("签发接口令牌", "{actor} 签发了接口令牌"),
    "auth.reset_requested": ("申请找回密码", "{actor} 申请找回密码"),
    "team.created": ("新建团队画像", "{actor} 新建了{subject}"),
    "team.updated": ("修改团队画像", "{actor} 修改了{subject}"),
    "team.member_added": ("添加团队成员", "{actor} 为{subject}添加了成员"),
    "team.member_removed": ("移除团队成员", "{actor} 从{subject}移除了成员"),
    "demo.loaded": ("加载演示数据", "{actor} 加载了演示数据"),
    # challenges
    "challenge.created": ("创建榜单", "{actor} 创建了{subject}"),
    "challenge.edit": ("修改榜单", "{actor} 修改了{subject}：{fields}"),
    "challenge.submit": ("提交审核", MOVE),
    "challenge.return": ("退回修改", MOVE + "{detail}"),
    "challenge.publish": ("审核发布", MOVE),
    "challenge.schedule": ("定时发布", MOVE),
    "challenge.go_live": ("到点发布", MOVE),
    "challenge.close": ("截止开标", MOVE),
    "challenge.close_unfilled": ("流榜", MOVE),
    "challenge.withdraw": ("撤榜", MOVE + "{detail}"),
    "challenge.request_withdrawal": ("申请撤榜", "{actor} 申请撤回{subject}{detail}"),
    "challenge.approve_withdrawal": ("批准撤榜", MOVE),
    "challenge.request_change": ("申请修改榜单", "{actor} 申请修改{subject}：{fields}"),
    "challenge.approve_change": ("批准修改榜单", "{actor} 批准了{subject}的修改：{fields}"),
    "challenge.reject_change": ("驳回修改榜单", "{actor} 驳回了{subject}的修改申请{detail}"),
    "challenge.relist": ("重新发榜", "{actor} 将{subject}重新发榜（生成新草稿）"),
    "challenge.terms_accepted": ("签署保密承诺", "{actor} 签署了{subject}的保密承诺"),
    "challenge.team_invited": ("邀请揭榜", "{actor} 邀请团队揭榜{subject}"),
    "challenge.start_review": ("开始专家评审", MOVE),
    "challenge.decide": ("确定中选方案", MOVE),
    "challenge.declare_no_award": ("无中选方案", MOVE),
    "challenge.announce": ("发布公示", MOVE),
    "challenge.finalise": ("公示期满", MOVE),
    "challenge.reopen_review": ("异议成立，退回评审", MOVE),
    "challenge.reopen_decision": ("异议成立，重新决定", MOVE),
    "clarification.asked": ("提问", "{actor} 就{subject}提出了问题"),
    "clarification.answered": ("答复", "{actor} 答复了{subject}的提问"),
    "attachment.added": ("上传附件", "{actor} 为{subject}上传了附件{detail}"),
    # bids and review
    "bid.created": ("新建揭榜方案", "{actor} 新建了{subject}"),
    "bid.edit": ("修改方案草稿", "{actor} 修改了{subject}：{fields}"),
    "bid.submit": ("提交揭榜方案", MOVE),
    "bid.resubmit": ("重新提交揭榜方案", "{actor} 重新提交了{subject}"),
    "bid.withdraw": ("撤回揭榜方案", MOVE),
    "bid.qualify": ("形式审查通过", MOVE + "{detail}"),
    "bid.disqualify": ("形式审查不通过", MOVE + "{detail}"),
    "bid.attachment_added": ("上传方案附件", "{actor} 为{subject}上传了附件{detail}"),
    "bid.request_supplement": ("要求补正", MOVE + "{detail}"),
    "bid.supplement": ("提交补正材料", MOVE),
    "bid_partner.requested": ("请合作单位确认", "{actor} 请{subject}确认参与及份额"),
    "bid_partner.changed": ("合作份额变更", "{actor} 变更了{subject}的份额，请其重新确认"),
    "bid_partner.removed": ("移除合作单位", "{actor} 从方案中移除了{subject}"),
    "bid_partner.confirm": ("合作单位确认", MOVE),
    "bid_partner.decline": ("合作单位拒绝", MOVE + "{detail}"),
    "bid_partner.reopen": ("合作单位重新确认", MOVE),
    "bid.correct_review": ("更正形式审查", "{actor} 更正了{subject}的形式审查结论：从{before}改为{after}{detail}"),
    "review.pool_updated": ("更新专家库", "{actor} 更新了专家库（{subject}）"),
    "review.auto_assigned": ("自动分配评审专家", "{actor} 为{subject}自动分配了评审专家"),
    "review.assigned": ("分配评审专家", "{actor} 为{subject}分配了评审专家"),
    "review.withdrawn": ("撤回评审分配", "{actor} 撤回了{subject}的一位评审专家{detail}"),
    "review.declared": ("声明利益冲突", "{actor} 就{subject}作出利益冲突声明"),
    "review.waived": ("豁免利益冲突", "{actor} 豁免了{subject}的利益冲突{detail}"),
    "review.scored": ("提交评分", "{actor} 提交了{subject}的评分"),
    "defence.slot_created": ("新增答辩时段", "{actor} 为{subject}新增了答辩时段"),
    "defence.booked": ("安排答辩", "{actor} 安排了{subject}的答辩时间"),
    "award.opinion": ("企业意见", "{actor} 就{subject}提交了企业意见"),
    "award.objection": ("提出异议", "{actor} 对{subject}提出异议"),
    "award.objection_dismissed": ("驳回异议", "{actor} 驳回了对{subject}的异议"),
    "announcement_item.finalise": ("公示期满", MOVE),
    "announcement_item.reopen": ("公示退回", MOVE),
    "objection.uphold": ("异议成立", MOVE + "{detail}"),
    "objection.dismiss": ("异议不成立", MOVE + "{detail}"),
    # contracts, credit and subsidies
    "contract.created": ("生成任务书", "{actor} 生成了{subject}"),
    "contract.party_signed": ("签署任务书", "{actor} 签署了{subject}"),
    "contract.sign_all": ("任务书生效", MOVE),
    "contract.amend": ("变更任务书", MOVE + "{detail}"),
    "contract.sign_amendment": ("签署变更", MOVE),
    "contract.midterm_continue": ("中期检查通过", MOVE),
    "contract.midterm_rectify": ("中期整改", MOVE + "{detail}"),
    "contract.request_acceptance": ("申请验收", MOVE),
    "contract.pass": ("验收通过", MOVE),
    "contract.fail": ("验收不通过", MOVE),
    "contract.fail_rectifiable": ("验收整改", MOVE),
    "contract.lapse": ("整改期满未复验", MOVE + "{detail}"),
    "contract.progress_consent": ("同意公开项目进展", "{actor} 就{subject}的项目进展公开作出表示"),
    "contract.terminate": ("终止任务书", MOVE + "{detail}"),
    "milestone.report": ("提交里程碑", MOVE),
    "milestone.confirm": ("确认里程碑", MOVE),
    "milestone.return": ("退回里程碑", MOVE + "{detail}"),
    "milestone.overdue": ("里程碑逾期", "{subject}已逾期"),
    "payment.recorded": ("登记付款", "{actor} 登记了{subject}"),
    "payment.confirm_receipt": ("确认到账", MOVE),
    "payment.dispute": ("对付款有异议", MOVE + "{detail}"),
    "payment.check": ("核验付款", MOVE),
    "payment.reject": ("付款核验未通过", MOVE + "{detail}"),
    "acceptance.expert_added": ("添加验收专家", "{actor} 为{subject}添加了验收专家"),
    "acceptance.recused": ("验收专家回避", "{actor} 在{subject}的验收中回避"),
    "acceptance.voted": ("验收表决", "{actor} 对{subject}作出验收表决"),
    "credit.recorded": ("登记信用记录", "{actor} 为{subject}登记了信用记录"),
    "subsidy.compute": ("测算补助", "{actor} 测算了{subject}"),
    "subsidy.check": ("复核补助", MOVE),
    "subsidy.approve": ("批准补助", MOVE),
    "subsidy.override_approve": ("超额批准补助", MOVE + "{detail}"),
    "subsidy.reject": ("不予补助", MOVE + "{detail}"),
    "subsidy.disburse": ("拨付补助", MOVE),
    "subsidy.disburse_final": ("拨付尾款", MOVE),
    "subsidy.clawback": ("追回补助", MOVE + "{detail}"),
    "subsidy.hold": ("待人工决定", MOVE + "{detail}"),
    "subsidy.waive": ("免予追回", MOVE + "{detail}"),
    "subsidy.clawback_anyway": ("仍予追回", MOVE + "{detail}"),
    "subsidy_policy.draft": ("起草补助政策版本", "{actor} 起草了{subject}"),
    "subsidy_policy.approve": ("批准补助政策版本", "{actor} 批准了{subject}，按生效日期并入政策"),
    "subsidy_pool.create": ("设立补助资金池", "{actor} 设立了{subject}"),
    "subsidy_pool.budget": ("修改资金池预算", "{actor} 修改了{subject}的预算{detail}"),
}

SUBJECT_NOUNS = {
    "challenge": "榜单", "bid": "揭榜方案", "organisation": "单位", "user": "账号", "team": "团队",
    "contract": "任务书", "milestone": "里程碑", "payment": "付款", "subsidy": "补助",
    "announcement_item": "公示条目", "objection": "异议", "acceptance": "验收", "join_request": "加入申请",
    "expert": "专家", "pool": "专家库", "system": "系统", "bid_partner": "合作单位确认",
    "defence_slot": "答辩时段", "policy_version": "补助政策版本", "subsidy_pool": "补助资金池",
}
GROUPS = {"account": "账号", "join_request": "账号", "auth": "登录", "user": "账号", "organisation": "单位认证",
          "team": "团队", "demo": "系统", "challenge": "榜单", "clarification": "榜单", "attachment": "榜单",
          "bid": "揭榜方案", "review": "专家评审", "award": "评审结果与公示", "announcement_item": "评审结果与公示",
          "objection": "评审结果与公示", "contract": "任务书", "milestone": "任务书", "payment": "任务书",
          "acceptance": "任务书", "credit": "信用", "subsidy": "补助", "subsidy_policy": "补助",
          "subsidy_pool": "补助", "bid_partner": "揭榜方案",
          "defence": "专家评审"}
_DETAIL_KEYS = (("comment", "意见"), ("reason", "原因"), ("file", "文件"))


def name(action: str) -> str:
    """The action's Chinese name (an unknown action shows as-is rather than disappearing)."""
    return ACTIONS.get(action, (action, ""))[0]


def choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """The filter's options, grouped: [(group name, [(action, name), ...]), ...]."""
    grouped: dict[str, list[tuple[str, str]]] = {}
    for action, (label, _) in ACTIONS.items():
        grouped.setdefault(GROUPS.get(action.split(".", 1)[0], "其他"), []).append((action, label))
    return list(grouped.items())


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return ""


def subject_text(event: AuditEvent, names: Mapping[tuple[str, str], str]) -> str:
    noun = SUBJECT_NOUNS.get(event.subject_type, event.subject_type)
    known = names.get((event.subject_type, event.subject_id))
    return f"{noun}“{known}”" if known else f"{noun} #{event.subject_id}"


def sentence(event: AuditEvent, *, names: Mapping[tuple[str, str], str] | None = None,
             states: Mapping[str, Mapping[str, str]] | None = None,
             fields: Mapping[str, str] | None = None, actors: Mapping[int, str] | None = None) -> str:
    """One readable sentence for an event.

    `names` maps (subject type, id) to a title or name; `states` maps a subject type to its state labels;
    `fields` maps a field name to its Chinese label; `actors` maps a user id to the person's name (else the
    label recorded with the event). The caller (a page) gathers them from the domains.
    """
    summary = event.summary if isinstance(event.summary, dict) else {}
    labels = (states or {}).get(event.subject_type, {})
    if event.action == "user.role_changed":
        labels = (states or {}).get("role", {})
    changed = summary.get("fields") or []
    field_names = (fields or {})
    details = [f"{title}：{summary[key]}" for key, title in _DETAIL_KEYS if summary.get(key)]
    values = _Blank(
        actor=(actors or {}).get(event.actor_id or 0) or event.actor_label or "系统",
        subject=subject_text(event, names or {}),
        before=labels.get(str(summary.get("before", "")), str(summary.get("before", ""))),
        after=labels.get(str(summary.get("after", "")), str(summary.get("after", ""))),
        fields="、".join(field_names.get(f, f) for f in changed) if isinstance(changed, list) else "",
        detail=f"（{'；'.join(details)}）" if details else "",
    )
    template = ACTIONS.get(event.action, (event.action, "{actor} {subject}：" + event.action))[1]
    text = string.Formatter().vformat(template, (), values)
    return text.replace("：（", "（").rstrip("：")
