"""Who must act: the 待办与预警 page, alert rules, digests by mail and the intranet webhook (issue 26)."""

MESSAGES = {
    # ---------------------------------------------------------------- settings
    "settings.section.attention": ("待办与预警", "Who must act"),
    "settings.help.attention.extension_lead_days": (
        "申请延长执行期限须在审限届满前至少此天数提出：待办与预警页和摘要邮件按此给出「最迟申请延长日期」。应为正整数。",
        ("An extension of a case's statutory term must be requested at least this many days before it expires: the "
        "attention list and the digests give the last day to request it. A whole number."),
    ),
    "settings.section.alerts": ("预警规则", "Alert rules"),
    "settings.help.alerts.targets": (
        "总览指标转为「未达标」（超过 [targets] 的目标）时预警；true 为开启。按数据截止日所在月份计算。",
        ("Alert when a headline figure turns off target (above its [targets] value); true = on. Judged on the "
        "month of the data's snapshot."),
    ),
    "settings.help.alerts.pending_red": (
        "待办审批环节转为红色（超过本层级时限）时预警；true 为开启。",
        "Alert when a pending approval step turns RED (over its level's limit); true = on.",
    ),
    "settings.help.alerts.case_last_days": (
        "未结案件进入审限最后此天数时预警。应为正整数。",
        "Alert when an open case enters the last this-many days of its statutory term. A whole number.",
    ),
    "settings.help.alerts.item_undecided_days": (
        "上报分管院长或审判委员会的议题，会后超过此天数仍无最终决定时预警。应为正整数。",
        ("Alert when an item escalated to the court leader or the judicial committee is still undecided this many "
        "days after the meeting. A whole number."),
    ),
    "settings.help.alerts.rearm_days": (
        ("预警的重新布防间隔（天，按数据截止时间计）：一条预警触发后，在此天数内恢复又再触发不再重复发出；"
        "超过此天数仍处于触发状态的，再提醒一次。应为正整数。"),
        ("Re-arm interval (days of the data's snapshot time): an alert that fired does not fire again within this "
        "many days, even if it clears and triggers again; one still triggered after it fires once more as a "
        "reminder. A whole number."),
    ),
    "settings.section.digest": ("摘要邮件与内网推送", "Digests by mail and the intranet webhook"),
    "settings.help.digest.base_url": (
        "看板的网址（摘要邮件中的链接以此开头），如 http://tierwatch.court.local:8501。",
        "The dashboard's address (the digests' links start with it), e.g. http://tierwatch.court.local:8501.",
    ),
    "settings.help.digest.send_hour": (
        "使用 --if-due 时，工作日此时（北京时间，0–23）之后才发送当期摘要。",
        "With --if-due, a period's digest goes out on a working day from this hour on (China time, 0-23).",
    ),
    "settings.help.digest.max_rows": (
        "摘要邮件中列出的待办事项最多条数，其余以链接指向看板。应为正整数。",
        "The most attention rows a digest lists; the rest are a link to the dashboard. A whole number.",
    ),
    "settings.help.digest.from_address": ("摘要邮件的发件人地址。", "The digests' sender address."),
    "settings.help.digest.smtp_host": ("内网邮件服务器（SMTP）的主机名。", "The intranet mail server's (SMTP) host name."),
    "settings.help.digest.smtp_port": (
        "SMTP 端口（1–65535），通常 25、587（STARTTLS）或 465（SSL）。",
        "SMTP port (1-65535), usually 25, 587 (STARTTLS) or 465 (SSL).",
    ),
    "settings.help.digest.smtp_security": (
        "SMTP 连接的加密方式：starttls、ssl 或 none（不加密，仅限可信内网）。",
        "How the SMTP connection is secured: starttls, ssl, or none (plain, trusted intranet only).",
    ),
    "settings.help.digest.smtp_user": (
        ("SMTP 登录用户名；留空则不登录。密码不写在这里：取自环境变量 TIERWATCH_SMTP_PASSWORD 或 "
        ".streamlit/secrets.toml 的 [smtp] password。"),
        ("SMTP login user; empty = no login. The password is never written here: it comes from the environment "
        "variable TIERWATCH_SMTP_PASSWORD or from [smtp] password in .streamlit/secrets.toml."),
    ),
    "settings.help.digest.smtp_timeout_seconds": ("连接邮件服务器的超时（秒）。", "Timeout of the mail server connection (seconds)."),
    "settings.help.digest.webhook_url": (
        "内网推送地址（可选）：每份摘要另以 JSON 用 POST 发送到此地址，供法院自己的消息系统使用；留空则不推送。",
        ("Intranet webhook (optional): each digest is also POSTed as JSON to this address for the court's own "
        "messaging system; empty = off."),
    ),
    "settings.help.digest.webhook_max_bytes": (
        "一次推送的 JSON 最大字节数；超过时省略待办明细，只保留计数和链接。应为正整数。",
        ("The largest JSON body one webhook POST may carry (bytes); beyond it the attention rows are left out, the "
        "counts and links kept. A whole number."),
    ),
    "settings.error.url": (
        "应为以 http:// 或 https:// 开头的网址（或留空），实际为 {value}",
        "must be an address starting with http:// or https:// (or empty), not {value}",
    ),
    "settings.error.range": ("应为 {low} 到 {high} 之间的整数，实际为 {value}", "must be a whole number from {low} to {high}, not {value}"),
    "settings.error.choice": ("应为以下之一：{allowed}，实际为 {value}", "must be one of {allowed}, not {value}"),
    # ---------------------------------------------------------------- the attention page
    "nav.attention": ("待办与预警", "Attention"),
    "attention.title": ("待办与预警", "Who must act now"),
    "attention.intro": (
        ("需要有人现在处理的事项：黄色、红色预警的待办审批环节，临近或超过法定执行期限的案件，上报后仍未决定的议题，"
        "没有结束时间或超过期限的替补。「现在」是数据截止时间，不是当前时钟；期间筛选不适用。"),
        ("What needs someone to act now: pending approval steps in the yellow or red tier, cases near or past their "
        "statutory deadline, escalated items still undecided, substitutions with no end or past the limit. \"Now\" "
        "is the data's snapshot, never the clock; the period filter does not apply."),
    ),
    "attention.metric.pending": ("待办环节（红/黄）", "Pending steps (red/yellow)"),
    "attention.metric.cases": ("案件（超期/临近）", "Cases (past/near deadline)"),
    "attention.metric.items": ("上报未决议题", "Escalated items undecided"),
    "attention.metric.substitutions": ("进行中的超限替补", "Substitutions over limit"),
    "attention.metric.split": ("{red} 红 · {yellow} 黄", "{red} red · {yellow} yellow"),
    "attention.metric.findings_all": ("S12-TEMPORARY 发现共 {all} 项", "{all} S12-TEMPORARY findings in all"),
    "attention.metric.pending.help": (
        "与「瓶颈」页的待办环节相同：红色超过本层级时限，黄色已用时限的三分之二以上。",
        "As on the Bottlenecks page: red over the level's limit, yellow two thirds of it used.",
    ),
    "attention.metric.cases.help": (
        "与「执行期限」页相同：红色已超过审限，黄色距审限届满不超过 {days} 天。",
        "As on the Statutory clock page: red past the deadline, yellow {days} days or fewer left.",
    ),
    "attention.metric.items.help": ("规则 M5-UNDECIDED 的全部发现。", "Every finding of rule M5-UNDECIDED."),
    "attention.metric.substitutions.help": (
        "规则 S12-TEMPORARY 的发现中，数据截止时仍在进行（没有结束时间或尚未结束）的 {running} 项；共 {all} 项发现。",
        ("The {running} findings of rule S12-TEMPORARY still running at the snapshot (no end, or ending later); "
        "{all} findings in all."),
    ),
    "attention.tier.RED": ("红色", "Red"),
    "attention.tier.YELLOW": ("黄色", "Yellow"),
    "attention.kind_filter": ("类别", "Kind"),
    "attention.kind.all": ("全部", "All"),
    "attention.kind.pending": ("待办审批", "Pending step"),
    "attention.kind.case": ("执行期限", "Statutory deadline"),
    "attention.kind.item": ("上报未决议题", "Escalated item"),
    "attention.kind.substitution": ("替补超限", "Substitution"),
    "attention.list": ("待办清单", "Attention list"),
    "attention.list.help": (
        "点击一行可查看其记录；「打开」列链接到对应页面（带相同筛选）。",
        "Click a row to see its records; the Open column links to the page it belongs to (same filters).",
    ),
    "attention.none": ("没有需要处理的事项。", "Nothing needs attention."),
    "attention.open": ("打开", "Open"),
    "attention.committee": ("审判委员会", "Judicial committee"),
    "attention.what.pending": ("{type} · 第{step}环节 · {level}", "{type} · step {step} · {level}"),
    "attention.what.case": ("{kind}，审限 {deadline}", "{kind}, deadline {deadline}"),
    "attention.what.item": ("{topic}（{outcome}）", "{topic} ({outcome})"),
    "attention.what.substitution": ("{absent} 由 {substitute} 替补", "{absent} covered by {substitute}"),
    "attention.no_end": ("无结束时间", "no end"),
    "col.attention_kind": ("类别", "Kind"),
    "col.attention_tier": ("预警", "Tier"),
    "col.attention_record": ("记录", "Record"),
    "col.attention_what": ("事项", "What"),
    "col.who_name": ("应处理人", "Who must act"),
    "col.since": ("起始", "Since"),
    "col.waiting_days": ("已持续（天）", "Days"),
    "col.due_on": ("最迟处理日", "Act by"),
    "col.link": ("打开", "Open"),
    "attention.due.pending": ("时限 {limit} 个工作日", "limit {limit} working days"),
    # ---------------------------------------------------------------- alerts
    "alert.rule.targets": ("指标未达标", "Off target"),
    "alert.rule.pending_red": ("待办转红", "Pending step turned red"),
    "alert.rule.case_last_days": ("案件进入审限最后 {n} 天", "Case in its last {n} days"),
    "alert.rule.item_undecided": ("上报议题超过 {n} 天未决定", "Escalated item undecided over {n} days"),
    "alert.text.targets": (
        "{figure} {value}，超过目标 {target}（{month}）",
        "{figure} {value}, above the target {target} ({month})",
    ),
    "alert.text.pending_red": (
        "审批单 {matter} 第{step}环节在 {approver} 处等待 {days} 个工作日，超过{level}时限 {limit} 个工作日",
        "Matter {matter} step {step} waits with {approver} for {days} working days, over the {level} limit of {limit}",
    ),
    "alert.text.case": (
        "案件 {case}（{team}）审限 {deadline}，剩余 {days} 天；最迟 {due} 前申请延长",
        "Case {case} ({team}) deadline {deadline}, {days} days left; request an extension by {due}",
    ),
    "alert.text.item": (
        "议题 {item}「{topic}」于 {held} 上报，已 {days} 天未决定",
        "Item {item} \"{topic}\" escalated on {held}, undecided for {days} days",
    ),
    "alert.figure.median_step_hours": ("审批环节用时中位数（小时）", "Median hours per step"),
    "alert.figure.findings_per_100": ("每百条记录违规发现数", "Findings per 100 records"),
    "alert.figure.escalation_rate": ("局务会议议题上报率", "Bureau item escalation rate"),
    # ---------------------------------------------------------------- digests
    "digest.period.day": ("日报", "daily digest"),
    "digest.period.week": ("周报", "weekly digest"),
    "digest.period.month": ("月报", "monthly digest"),
    "digest.subject": ("执行管理层级看板{period}（{key}）：{scope}", "tierwatch {period} ({key}): {scope}"),
    "digest.greeting": ("{name}：", "Dear {name},"),
    "digest.lead": (
        "以下是截至 {snapshot} 的数据（「现在」即数据截止时间），范围：{scope}。",
        "Here are the figures as of {snapshot} (the data's snapshot), scope: {scope}.",
    ),
    "digest.scope.bureau": ("全局", "the whole bureau"),
    "digest.headline": ("主要指标（{month}，与上月比较）", "Headline figures ({month}, against the month before)"),
    "digest.now": ("需要处理的事项（与上期摘要比较）", "What needs action (against the previous digest)"),
    "digest.col.figure": ("指标", "Figure"),
    "digest.col.value": ("本期", "Now"),
    "digest.col.previous": ("上期", "Before"),
    "digest.col.change": ("变化", "Change"),
    "digest.col.target": ("目标", "Target"),
    "digest.target.met": ("达标", "on target"),
    "digest.target.missed": ("未达标", "off target"),
    "digest.charts": ("图表", "Charts"),
    "digest.chart.approved": ("近12个月审批事项（已批准）", "Approved matters, last 12 months"),
    "digest.chart.pending": ("当前待办环节（按层级和预警）", "Pending steps now by level and tier"),
    "digest.attention": ("待办清单（前 {shown} 项，共 {total} 项）", "Attention list (first {shown} of {total})"),
    "digest.attention.more": ("在看板中查看全部 {total} 项", "See all {total} on the dashboard"),
    "digest.alerts": ("已触发的预警", "Triggered alerts"),
    "digest.alerts.none": ("没有已触发的预警。", "No alert is triggered."),
    "digest.alerts.more": ("（仅列出前 {shown} 条，共 {total} 条）", "(the first {shown} of {total})"),
    "digest.alert.new": ("新", "new"),
    "digest.open_dashboard": ("打开看板（相同筛选）", "Open the dashboard (same filters)"),
    "digest.footer": (
        "本邮件由 tierwatch 自动发送，每人每期一份。数据截止 {snapshot}。",
        "Sent automatically by tierwatch, one per person and period. Data as of {snapshot}.",
    ),
    "digest.metric.pending_red": ("红色待办环节", "Pending steps red"),
    "digest.metric.pending_yellow": ("黄色待办环节", "Pending steps yellow"),
    "digest.metric.cases_red": ("超过审限的未结案件", "Open cases past deadline"),
    "digest.metric.cases_yellow": ("临近审限的未结案件", "Open cases near deadline"),
    "digest.metric.items": ("上报未决议题", "Escalated items undecided"),
    "digest.metric.substitutions": ("进行中的超限替补", "Substitutions past the limit, running"),
    # ---------------------------------------------------------------- the command line
    "cli.digest.no_recipients": ("没有符合条件且有邮箱地址的账户。", "No account with an e-mail address matches."),
    "cli.digest.unknown_login": ("没有账户 {login}（或该账户已停用、没有邮箱地址）。", "No account {login} (or it is disabled or has no e-mail address)."),
    "cli.digest.not_due": ("当前不需要发送：{reason}", "Nothing due: {reason}"),
    "cli.digest.not_workday": ("{day} 不是工作日", "{day} is not a working day"),
    "cli.digest.before_hour": ("未到发送时间 {hour}:00", "before the sending hour {hour}:00"),
    "cli.digest.not_first_workday": ("本期摘要在本{unit}第一个工作日 {day} 发送", "this period's digest goes out on its first working day, {day}"),
    "cli.digest.unit.week": ("周", "week"),
    "cli.digest.unit.month": ("月", "month"),
    "cli.digest.sent": ("已发送 {login} <{email}>：{subject}", "sent to {login} <{email}>: {subject}"),
    "cli.digest.already": ("{login} 的本期摘要（{key}）已发送过，跳过", "{login}: this period's digest ({key}) went out already, skipped"),
    "cli.digest.failed": ("发送给 {login} 失败（下次运行时重试）：{error}", "sending to {login} failed (retried on the next run): {error}"),
    "cli.digest.written": ("已写出 {path}", "written {path}"),
    "cli.digest.webhook_sent": ("已推送 {login} 的摘要到内网地址", "posted {login}'s digest to the webhook"),
    "cli.digest.webhook_failed": ("推送 {login} 的摘要失败（下次运行时重试）：{error}", "posting {login}'s digest failed (retried on the next run): {error}"),
    "cli.digest.busy": ("另一个摘要任务正在运行，本次不发送。", "Another digest run is in progress; nothing sent."),
    "cli.digest.summary": ("本次：发送 {sent}，跳过 {skipped}，失败 {failed}。", "This run: {sent} sent, {skipped} skipped, {failed} failed."),
    "cli.digest.no_store": ("数据库 {db} 不存在或尚未导入数据。", "The store {db} does not exist or holds no data yet."),
}
