"""Sign-in, accounts, scopes, the audit trail and the server's safe defaults (issue 25)."""

MESSAGES = {
    # accounts: errors
    "access.error.login": ("登录名“{login}”无效：只能使用字母、数字和 . _ @ -，最多 64 个字符",
                           "Login “{login}” is invalid: letters, digits and . _ @ - only, at most 64 characters"),
    "access.error.role": ("角色“{role}”无效：应为 staff、analyst 或 admin", "Role “{role}” is invalid: staff, analyst or admin"),
    "access.error.staff_needed": ("请用 --staff 指定工号，或用 --role 指定角色", "Give a staff id (--staff) or a role (--role)"),
    "access.error.email": ("邮箱地址“{email}”无效", "E-mail address “{email}” is invalid"),
    "access.error.lang": ("语言“{lang}”无效：应为 zh 或 en", "Language “{lang}” is invalid: zh or en"),
    "access.error.password_short": ("密码至少需要 {n} 个字符", "A password needs at least {n} characters"),
    "access.error.exists": ("账户“{login}”已存在", "Account “{login}” already exists"),
    "access.error.unknown": ("没有账户“{login}”", "No account “{login}”"),
    "access.error.staff_unknown": ("工号 {staff_id} 不在当前人员名册中（账户已建立，名册导入后生效）",
                                   ("Staff id {staff_id} is not on the current roster (the account is made; it works "
                                   "once a roster names the person)")),
    # accounts: command line
    "cli.users.password": ("为 {login} 设置密码：", "Password for {login}: "),
    "cli.users.password_again": ("再输入一次：", "Again: "),
    "cli.users.mismatch": ("两次输入的密码不一致", "The two passwords differ"),
    "cli.users.no_password": ("未读到密码（标准输入为空）", "No password read (stdin was empty)"),
    "cli.users.added": ("已建立账户 {login}（{role}）", "Account {login} made ({role})"),
    "cli.users.disabled": ("已停用账户 {login}", "Account {login} disabled"),
    "cli.users.enabled": ("已启用账户 {login}", "Account {login} enabled"),
    "cli.users.passwd": ("已更改 {login} 的密码", "Password of {login} changed"),
    "cli.users.none": ("还没有账户。", "No accounts yet."),
    "cli.users.header": ("登录名\t角色\t工号\t邮箱\t语言\t状态", "login\trole\tstaff id\te-mail\tlang\tstatus"),
    "cli.users.active": ("启用", "active"),
    "cli.users.inactive": ("停用", "disabled"),
    "cli.audit.none": ("没有留痕记录。", "The audit trail is empty."),
    "cli.audit.since": ("--since 应为 YYYY-MM-DD：{value}", "--since must be YYYY-MM-DD: {value}"),
    # roles and scopes
    "role.staff": ("人员", "staff"),
    "role.analyst": ("分析员", "analyst"),
    "role.admin": ("管理员", "administrator"),
    "access.scope.bureau": ("全局", "the bureau"),
    "access.scope.division": ("分管部门：{values}", "division: {values}"),
    "access.scope.team": ("团队：{values}", "team: {values}"),
    "access.scope.pseudonyms": ("人员以代号显示", "people shown by pseudonym"),
    # sign-in page
    "signin.title": ("登录", "Sign in"),
    "signin.intro": ("执行管理层级看板只对有账户的人员开放。请登录。", "The dashboard is open to account holders only. Please sign in."),
    "signin.login": ("登录名", "Login"),
    "signin.password": ("密码", "Password"),
    "signin.submit": ("登录", "Sign in"),
    "signin.wrong": ("登录名或密码不正确。", "Wrong login or password."),
    "signin.locked": ("密码连续输错次数过多，该登录名已锁定至 {until}（北京时间）。",
                      "Too many wrong passwords: this login is locked until {until} (China time)."),
    "signin.disabled": ("该账户已停用，请联系管理员。", "This account is disabled; ask an administrator."),
    "signin.sso": ("使用法院统一身份认证登录", "Sign in with the court's single sign-on"),
    "signin.or": ("或使用本系统账户登录：", "or with an account of this dashboard:"),
    "signin.expired": ("长时间未操作，已自动退出，请重新登录。", "You were signed out after a long idle time; please sign in again."),
    "signin.signed_out": ("已退出登录。", "Signed out."),
    "noaccess.title": ("暂无查看权限", "No access yet"),
    "noaccess.no_account": (
        "已通过统一身份认证（{identity}），但本看板还没有与之对应的账户。请联系执行局的看板管理员（{admins}）为您开通账户。",
        ("You are signed in through the court's single sign-on ({identity}), but this dashboard has no account for you. "
        "Ask the dashboard's administrator at the enforcement bureau ({admins}) to open one."),
    ),
    "noaccess.no_scope": (
        ("您的账户（{login}）目前没有可查看的范围：看板的范围随人员名册中的岗位确定（局领导看全局，副局长看分管部门，团队长看本团队）。"
        "如需查看，请联系看板管理员（{admins}）授予角色。"),
        ("Your account ({login}) has nothing to show yet: what a person sees follows their post on the roster (leaders "
        "the bureau, a deputy their division, a team leader their team). Ask the dashboard's administrator ({admins}) "
        "for a role."),
    ),
    "noaccess.admins_unknown": ("系统管理员", "the system administrator"),
    # sidebar
    "sidebar.local_mode": ("本机模式：未配置登录，仅本机可以访问。", "Local mode: no sign-in configured; only this computer can connect."),
    "sidebar.signed_in": ("已登录：{login}（{role}）", "Signed in: {login} ({role})"),
    "sidebar.scope": ("查看范围：{scope}", "Scope: {scope}"),
    "sidebar.signout": ("退出登录", "Sign out"),
    # the server
    "serve.local": (
        "本机模式：未配置登录（没有账户，.streamlit/secrets.toml 中也没有 [auth]），服务只在 127.0.0.1 上监听，其他电脑无法访问。",
        ("Local mode: no sign-in is configured (no account, no [auth] in .streamlit/secrets.toml), so the server listens "
        "on 127.0.0.1 only; other computers cannot connect."),
    ),
    "serve.refused": (
        ("拒绝在 {address} 上监听：尚未配置登录，网络上的任何人都能看到全部数据。请先建立管理员账户"
        "（python -m pipelines users add LOGIN --role admin --db {db}），或在 .streamlit/secrets.toml 中配置 [auth]"
        "（法院统一身份认证），然后再用 make run ADDRESS={address} 启动。详见 README“在法院网络上部署”。"),
        ("Refusing to listen on {address}: no sign-in is configured, so anyone on the network would see every figure. "
        "First make an administrator account (python -m pipelines users add LOGIN --role admin --db {db}) or configure "
        "[auth] in .streamlit/secrets.toml (the court's single sign-on), then start with make run ADDRESS={address}. "
        "See the README, \"Putting it on the court's network\"."),
    ),
    "serve.signin": ("已配置登录：每个页面都需要先登录。", "Sign-in is configured: every page asks for it."),
    # errors on a page
    "error.page": (
        "这个页面出错了，错误已记入服务器日志（编号 {ref}）。请刷新页面；如果问题仍然存在，请把编号告诉管理员。",
        ("Something went wrong on this page; it was written to the server's log (reference {ref}). Reload the page; if "
        "it happens again, give the reference to the administrator."),
    ),
    # the Data page: accounts and the audit trail
    "data.access.title": ("账户与留痕", "Accounts and audit trail"),
    "data.access.accounts": ("账户", "Accounts"),
    "data.access.accounts_help": (
        "账户在服务器上用命令管理：python -m pipelines users add LOGIN (--staff 工号 | --role analyst | --role admin)。",
        ("Accounts are managed on the server: python -m pipelines users add LOGIN (--staff STAFF_ID | --role analyst | "
        "--role admin)."),
    ),
    "data.access.audit": ("留痕记录（最近 {n} 条）", "Audit trail (latest {n} rows)"),
    "data.access.local": ("本机模式下没有账户，也不记录登录。", "Local mode has no accounts and records no sign-in."),
    "data.access.admin_only": ("只有管理员可以导入数据和修改设置。", "Only an administrator can load data or change settings."),
    "audit.col.at": ("时间", "time"),
    "audit.col.who": ("人员", "who"),
    "audit.col.action": ("操作", "action"),
    "audit.col.details": ("详情", "details"),
    "account.col.login": ("登录名", "login"),
    "account.col.role": ("角色", "role"),
    "account.col.staff_id": ("工号", "staff id"),
    "account.col.email": ("邮箱", "e-mail"),
    "account.col.lang": ("语言", "language"),
    "account.col.disabled": ("已停用", "disabled"),
    # settings [access]
    "settings.section.access": ("登录与查看范围（修改后立即生效，无需重建）", "Sign-in and what people see (takes effect at once, no rebuild)"),
    "settings.help.access.lockout_attempts": ("连续输错密码达到此次数即锁定该登录名。", "This many wrong passwords in a row lock the login."),
    "settings.help.access.lockout_minutes": ("锁定的分钟数。", "Minutes a locked login stays locked."),
    "settings.help.access.idle_hours": ("超过此小时数未操作即自动退出登录。", "A session idle for this many hours is signed out."),
    "settings.help.access.analyst_pseudonyms": (
        "分析员看到的审批人、当事人等人员姓名和工号以固定代号代替（页面和导出均如此）；false 为显示真实姓名。",
        ("Analysts see approvers' and other people's names and staff ids replaced by stable pseudonyms (on pages "
        "and in exports); false shows the names."),
    ),
    "settings.help.access.identity_claim": (
        "统一身份认证（OpenID Connect）中标识人员的声明名称，如 email、preferred_username 或 sub；其值与账户的登录名或邮箱对应。",
        ("The claim of the court's single sign-on (OpenID Connect) that identifies the person, e.g. email, "
        "preferred_username or sub; its value is matched to an account's login or e-mail address."),
    ),
    # the audit trail as the Data page shows it
    "audit.action.sign_in": ("登录", "sign-in"),
    "audit.action.sign_out": ("退出", "sign-out"),
    "audit.action.session_expired": ("闲置超时退出", "idle sign-out"),
    "audit.action.page_view": ("查看页面", "page view"),
    "audit.action.export": ("导出", "export"),
    "audit.action.load": ("载入数据", "load"),
    "audit.action.rebuild": ("重建指标", "rebuild"),
    "audit.action.account_add": ("新建账户", "account added"),
    "audit.action.account_disable": ("停用账户", "account disabled"),
    "audit.action.account_enable": ("启用账户", "account enabled"),
    "audit.action.account_passwd": ("更改密码", "password changed"),
    "audit.key.method": ("方式", "method"),
    "audit.key.outcome": ("结果", "outcome"),
    "audit.key.page": ("页面", "page"),
    "audit.key.filters": ("筛选", "filters"),
    "audit.key.scope": ("范围", "scope"),
    "audit.key.file": ("文件", "file"),
    "audit.key.format": ("格式", "format"),
    "audit.key.files": ("文件及 SHA-256", "files with SHA-256"),
    "audit.key.rows": ("行数", "rows"),
    "audit.key.login": ("账户", "account"),
    "audit.key.role": ("角色", "role"),
    "audit.key.staff_id": ("工号", "staff id"),
    "audit.key.email": ("邮箱", "e-mail"),
    "audit.key.claim": ("认证声明", "claim"),
    "audit.key.reason": ("原因", "reason"),
    "audit.key.error": ("错误", "error"),
    "audit.value.password": ("密码", "password"),
    "audit.value.oidc": ("统一身份认证", "single sign-on"),
    "audit.value.ok": ("成功", "succeeded"),
    "audit.value.wrong": ("密码错误", "wrong password"),
    "audit.value.lockout": ("输错过多，已锁定", "locked after too many wrong passwords"),
    "audit.value.locked": ("已锁定，拒绝", "refused: locked"),
    "audit.value.disabled": ("账户已停用", "account disabled"),
    "audit.value.no_account": ("没有对应账户", "no account"),
    "audit.value.invalid": ("校验未通过", "invalid input"),
    "audit.value.error": ("出错", "failed"),
    "audit.value.fault": ("机器故障（磁盘、权限、内存）", "a fault of the machine (disk, permissions, memory)"),
    "audit.value.busy": ("另一导入或重建正在进行", "another load or rebuild held the store"),
    "audit.value.account_disabled": ("账户已停用", "account disabled"),
    "data.access.audit_cli": ("本机模式下的留痕记录可用命令查看：python -m pipelines audit", "In local mode, read the trail with: python -m pipelines audit"),
    # upload names
    "upload.name_too_long": (
        "文件名过长（{n} 个字符，最多 {max} 个）：请改短文件名后再上传。",
        "The file name is too long ({n} characters, at most {max}): shorten it and upload again.",
    ),
    "upload.name_bad": (
        "文件名中含有不允许的字符（如控制字符或路径分隔符）：请改名后再上传。",
        ("The file name holds characters that are not allowed (control characters or path separators): rename it "
        "and upload again."),
    ),
}
