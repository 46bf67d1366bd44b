"""Rule titles, the article text each rule cites (quoted from regulation/zh.md), and finding texts."""

_R = {
    "A7-CHIEF": (
        ("应报局长批准的事项未经局长级审批", "Matter for the chief approved without chief-level approval"),
        (
            ("第七条 下列执行事项应当报请局长批准：（一）重大、疑难、复杂案件执行方案的确定；（二）执行财产的处置、降价（撤回）拍卖、抵债和变卖；"
            "（三）执行案款的发放；（四）执行力量的集中使用和各执行团队之间的警力调配；（五）执行救助的决定和救助款的发放；（六）其他需要局长批准的执行事项。"
            "第八条（五）局长不在岗时，根据授权代为履行局长职责。"
            "第九条（四）局长不在岗时，根据授权审批执行司法警力的集中使用和各执行组之间的警力调配。"),
            ("Art. 7: these matters must be approved by the chief: (1) plans for major/difficult/complex cases; (2) disposal "
            "of assets, lowering/withdrawing auction prices, set-off and sale; (3) paying out enforcement money; (4) concentrated "
            "use of forces and moving judicial police between teams; (5) enforcement relief and its payment; (6) other matters "
            "needing the chief. Art. 8(5): when the chief is absent, a deputy acts for the chief with authorisation. Art. 9(4)."),
        ),
    ),
    "A7-PLAN": (
        ("重大疑难复杂案件无局长批准的执行方案", "Major case without a chief-approved enforcement plan"),
        (
            ("第六条 局长主要负责以下工作：（三）管理全局办理的执行案件，审查批准执行案件重大事项，决定采取重大执行措施，组织、指挥、"
            "研究、协调、监督重大、疑难、复杂案件的执行；第七条 下列执行事项应当报请局长批准：（一）重大、疑难、复杂案件执行方案的确定；"),
            ("Art. 6: the chief (3) manages the bureau's cases, approves their major matters and organises, directs and "
            "supervises the enforcement of major, difficult and complex cases. Art. 7: these matters must be approved by "
            "the chief: (1) the plan for a major/difficult/complex case."),
        ),
    ),
    "A9-PROCESS": (
        ("缺少副局长过程审批", "No process approval by a deputy"),
        (
            "第九条 副局长审批下列执行事项：（一）本规定第七条第一、第二、第三、第五项的过程审批；",
            "Art. 9: deputies approve (1) the process approval (过程审批) of Art. 7 items 1, 2, 3 and 5.",
        ),
    ),
    "A9-DEPUTY": (
        ("法律文书或指挥中心事务未经副局长及以上审批", "Document or command-centre matter without a deputy's approval"),
        (
            "第九条 副局长审批下列执行事项：（二）分管部门、团队的执行案件的法律文书；（三）管理执行指挥中心的日常事务；",
            "Art. 9: deputies approve (2) the legal documents of their division's cases; (3) the command centre's daily affairs.",
        ),
    ),
    "A9-DIVISION": (
        ("法律文书未经本分管部门副局长审批", "Legal document approved by a deputy of another division"),
        (
            "第九条 副局长审批下列执行事项：（二）分管部门、团队的执行案件的法律文书；",
            ("Art. 9: deputies approve (2) the legal documents of the cases of the divisions and teams they are in "
            "charge of (分管部门、团队)."),
        ),
    ),
    "A10-TEAM": (
        ("团队内事务未由本团队团队长决定", "Team matter not decided by the team's leader"),
        (
            ("第十条 团队长在局长统一领导下，负责执行团队内的案件及事务办理，有权决定团队内的职责分工、任务分配。"
            "第十一条 执行局内以局长指挥管理意见作为决定意见，执行团队内以团队长指挥管理意见作为决定意见。"),
            ("Art. 10: the team leader decides the division of duties and tasks inside the team. Art. 11: inside a team the "
            "leader's view decides; inside the bureau the chief's."),
        ),
    ),
    "A11-MAJOR": (
        ("重大事项未经局长报分管副院长决定", "Major matter not decided by the VP after the chief"),
        (
            "第十一条 重大事项，由局长报请分管副院长决定。",
            "Art. 11: major matters are reported by the chief to the VP in charge, who decides.",
        ),
    ),
    "A13-EXTERNAL": (
        ("对外协调事项未经局长报分管院长决定", "External matter not decided by the court leader after the chief"),
        (
            "第十三条 执行工作需要跨部门或者对外开展协调、宣传等，由局长报请分管院长决定。",
            ("Art. 13: cross-department or external coordination and publicity are reported by the chief to the court leader "
            "in charge, who decides."),
        ),
    ),
    "A11-LASTWORD": (
        ("下级层级作出最终决定", "A lower level had the last word"),
        (
            ("第三条 执行局建立局、团队二级指挥管理权层级。"
            "第十一条 执行局实行统一管理、统一指挥、统一协调，下级指挥管理权服从上级指挥管理权。"),
            "Art. 3: two command levels, bureau and team. Art. 11: lower command authority obeys higher command authority.",
        ),
    ),
    "S12-REVERSE": (
        ("逆向岗位职责替补", "Reverse duty substitution"),
        (
            "第十二条 除领导岗位外，因工作需要，下级岗位可以主动、及时、顺向替补上级岗位的职责，但不得进行逆向的岗位职责替补。",
            ("Art. 12: except for leadership posts, a lower post may step in, promptly and forward, for the duties of a "
            "higher post; reverse substitution is forbidden."),
        ),
    ),
    "S12-LEADERSHIP": (
        ("替补领导岗位", "Substitution for a leadership post"),
        (
            ("第十二条 除领导岗位外，因工作需要，下级岗位可以主动、及时、顺向替补上级岗位的职责。"
            "第八条（五）局长不在岗时，根据授权代为履行局长职责。"),
            ("Art. 12: except for leadership posts, a lower post may substitute for a higher one. Art. 8(5): a deputy acts for "
            "the absent chief with authorisation."),
        ),
    ),
    "S12-AUTHORITY": (
        ("临时替补的决定人无权限", "Temporary substitution decided without authority"),
        (
            "第十二条 局长决定全局人员的临时性岗位职责替补，副局长决定分管部门（处）人员的临时性岗位职责替补，团队长决定执行组内人员的临时性岗位职责替补。",
            ("Art. 12: the chief decides temporary substitutions for the whole bureau, a deputy for their division, a team "
            "leader inside the team."),
        ),
    ),
    "S12-TEMPORARY": (
        ("替补超出临时性期限", "Substitution longer than temporary"),
        (
            "第十二条 局长决定全局人员的临时性岗位职责替补，副局长决定分管部门（处）人员的临时性岗位职责替补，团队长决定执行组内人员的临时性岗位职责替补。",
            "Art. 12: substitutions decided under this article are temporary (临时性).",
        ),
    ),
    "S12-UNRECORDED": (
        ("代行审批没有替补记录", "Acting for someone with no substitution on record"),
        (
            ("第八条（五）局长不在岗时，根据授权代为履行局长职责。"
            "第十二条 局长决定全局人员的临时性岗位职责替补，副局长决定分管部门（处）人员的临时性岗位职责替补，团队长决定执行组内人员的临时性岗位职责替补。"),
            ("Art. 8(5): a deputy acts for the absent chief with authorisation. Art. 12: temporary substitutions are "
            "decided by the chief, a deputy or a team leader; a step taken for someone else rests on such a "
            "decision, so it must be on record."),
        ),
    ),
    "M4-CHAIR": (
        ("会议主持人不符合规定", "Meeting chaired by the wrong person"),
        (
            ("第四条 局务会议由局长主持。第六条（二）召集和主持局务会议和团队长联席会议；"
            "第八条（三）根据局长授权，召集并主持局务会议和团队长联席会议；"),
            ("Art. 4: the bureau meeting is chaired by the chief. Art. 6(2): the chief convenes and chairs both meetings. "
            "Art. 8(3): a deputy chairs them when the chief authorises."),
        ),
    ),
    "M4-ATTEND": (
        ("会议参会人员不符合规定", "Meeting attendance short"),
        (
            "第四条 局务会议由局长主持，分管副院长、局长、副局长、党支部书记及相关事项负责人员参加；团队长联席会议由局长、副局长、团队长参加。",
            ("Art. 4: the VP, chief, deputies, party-branch secretary and those responsible attend the bureau meeting; the "
            "chief, deputies and team leaders attend the team leaders' meeting."),
        ),
    ),
    "M4-SECRETARY": (
        ("党支部书记未参加局务会议", "Bureau meeting without the party-branch secretary"),
        (
            "第四条 局务会议由局长主持，分管副院长、局长、副局长、党支部书记及相关事项负责人员参加；",
            ("Art. 4: the VP, chief, deputies, party-branch secretary and those responsible for the items attend the "
            "bureau meeting."),
        ),
    ),
    "M4-DEPUTIES": (
        ("副局长未参加团队长联席会议", "Team leaders' meeting without a deputy"),
        (
            "第四条 团队长联席会议由局长、副局长、团队长参加。",
            "Art. 4: the chief, the deputies and the team leaders attend the team leaders' joint meeting.",
        ),
    ),
    "M4-REGULAR": (
        ("未定期召开会议", "Meeting not held regularly"),
        (
            "第四条 执行局定期召开局务会议和团队长联席会议。",
            "Art. 4: the bureau holds bureau meetings and team leaders' joint meetings regularly (定期召开).",
        ),
    ),
    "M5-TIEBREAK": (
        ("局务会议决议方式与多数意见不符", "Bureau resolution does not follow the majority rule"),
        (
            "第五条 分管副院长、局长应尊重局务会议多数意见，不能形成多数意见的，分管副院长的意见作为局务会的决议。",
            ("Art. 5: the VP and chief respect the bureau meeting's majority; with no majority, the VP's opinion becomes "
            "the resolution."),
        ),
    ),
    "M5-VPABSENT": (
        ("分管副院长未参加却作为分管副院长决定", "Decided by the VP, who was absent"),
        (
            "第五条 分管副院长、局长应尊重局务会议多数意见，不能形成多数意见的，分管副院长的意见作为局务会的决议。",
            ("Art. 5: with no majority, the VP's opinion becomes the bureau meeting's resolution; an absent VP gave "
            "no opinion to adopt."),
        ),
    ),
    "M5-ESCALATE": (
        ("不符合条件的报请决定", "Escalation without its conditions"),
        (
            "第五条 涉及重大、疑难、复杂事项的，如分管副院长、局长意见与多数意见不一致，局长可以报请分管院长决定，或者提请分管院长决定报请审判委员会讨论决定。",
            ("Art. 5: on major/difficult/complex items where the VP's or chief's opinion differs from the majority, the chief "
            "may report to the court leader in charge, or ask that leader to refer it to the judicial committee."),
        ),
    ),
    "M5-UNDECIDED": (
        ("报请决定的议题久未决定", "Escalated item left undecided"),
        (
            "第五条 局长可以报请分管院长决定，或者提请分管院长决定报请审判委员会讨论决定。局务会议和团队长联席会议形成的决议和意见一律记录在案，留存备查。",
            ("Art. 5: the chief may report an item to the court leader in charge to decide, or ask that leader to refer "
            "it to the judicial committee; all resolutions are minuted and kept. An escalated item needs a decision "
            "on record."),
        ),
    ),
    "M5-ADVISORY": (
        ("团队长联席会议意见被当作决议", "Team leaders' opinion treated as binding"),
        (
            "第五条 团队长联席会议是执行局咨询研讨机构，会议形成的意见，供各执行团队参考适用。",
            "Art. 5: the team leaders' meeting is advisory; its opinions are for the teams' reference.",
        ),
    ),
    "M5-RECORD": (
        ("决议和意见未记录在案", "Resolution not minuted"),
        (
            "第五条 局务会议和团队长联席会议形成的决议和意见一律记录在案，留存备查。",
            "Art. 5: all resolutions and opinions of both meetings are minuted and kept.",
        ),
    ),
}

_DETAILS = {
    "A7-CHIEF.detail": (
        "审批单{matter}（{type}）由{approver}（{post}）最终同意，没有局长级审批（局长本人，或经授权代行局长职责的副局长）",
        ("Matter {matter} ({type}) was finally approved by {approver} ({post}) without a chief-level approval "
        "(the chief, or a deputy authorised to act for the absent chief)"),
    ),
    "A9-PROCESS.detail": (
        "审批单{matter}（{type}）在局长级审批（第{step}环节，{chief}）之前没有副局长同意的过程审批",
        ("Matter {matter} ({type}) had no deputy's process approval at or before its chief-level approval "
        "(step {step}, {chief})"),
    ),
    "A9-PROCESS.detail_no_chief": (
        "审批单{matter}（{type}）没有副局长同意的过程审批",
        "Matter {matter} ({type}) had no deputy's process approval",
    ),
    "A9-DEPUTY.detail": (
        "审批单{matter}（{type}）没有副局长及以上人员同意，最终由{approver}（{post}）同意",
        "Matter {matter} ({type}) was approved by nobody of deputy rank or above; final approval by {approver} ({post})",
    ),
    "A9-DIVISION.detail": (
        "法律文书审批单{matter}（团队：{team}，分管部门：{division}）由{other_division}副局长{other}同意，未经本分管部门副局长、其替补或局长审批",
        ("Legal-document matter {matter} (team {team}, division {division}) was approved by {other}, deputy for "
        "{other_division}, not by its own division's deputy, their substitute or the chief"),
    ),
    "A9-DIVISION.detail_no_division": (
        "法律文书审批单{matter}（团队：{team}，分管部门：{division}）由{other}同意，其不是本分管部门副局长、其替补或局长",
        ("Legal-document matter {matter} (team {team}, division {division}) was approved by {other}, who is not "
        "its own division's deputy, their substitute or the chief"),
    ),
    "A10-TEAM.detail": (
        "团队事务{matter}（团队：{team}）由{approver}（{post}）最终决定，既非本团队团队长或其替补，也非副局长及以上人员",
        ("Team matter {matter} (team {team}) was decided by {approver} ({post}): neither the team's leader or their "
        "substitute, nor a deputy or above"),
    ),
    "A11-MAJOR.detail_no_vp": (
        "重大事项{matter}没有分管副院长及以上层级的同意，最终由{approver}（{level}层级）同意",
        "Major matter {matter} has no approval at VP level or above; final approval by {approver} ({level} level)",
    ),
    "A11-MAJOR.detail_no_chief": (
        "重大事项{matter}在分管副院长层级同意之前没有局长层级的审批环节",
        "Major matter {matter} has no chief-level step before the VP-level approval",
    ),
    "A13-EXTERNAL.detail_no_vp": (
        "对外协调事项{matter}没有分管院长及以上层级的同意，最终由{approver}（{level}层级）同意",
        "External matter {matter} has no approval at VP level or above; final approval by {approver} ({level} level)",
    ),
    "A13-EXTERNAL.detail_no_chief": (
        "对外协调事项{matter}在分管院长层级同意之前没有局长层级的审批环节",
        "External matter {matter} has no chief-level step before the VP-level approval",
    ),
    "A11-LASTWORD.detail": (
        "审批单{matter}（{type}）最高到达{highest}层级，最终决定却由{level}层级的{approver}作出（{decision}）",
        ("Matter {matter} ({type}) reached the {highest} level, but {approver} at the lower {level} level had the "
        "last word ({decision})"),
    ),
    "S12-REVERSE.detail": (
        "替补{sub}：{substitute}（{substitute_post}）替补{absent}（{absent_post}），替补人岗位高于被替补人（逆向替补）",
        ("Substitution {sub}: {substitute} ({substitute_post}) stood in for {absent} ({absent_post}), a higher post "
        "covering a lower one (reverse)"),
    ),
    "S12-REVERSE.detail_equal": (
        "替补{sub}：{substitute}（{substitute_post}）替补同级的{absent}（{absent_post}），按本局设置同级替补不属于顺向替补",
        ("Substitution {sub}: {substitute} ({substitute_post}) stood in for {absent} of the same rank "
        "({absent_post}); the settings do not count peer substitution as forward"),
    ),
    "S12-LEADERSHIP.detail": (
        "替补{sub}：{absent}担任领导岗位（{absent_post}），由{substitute}（{substitute_post}）替补，且不属于经授权的副局长代行局长职责",
        ("Substitution {sub}: {absent} holds a leadership post ({absent_post}) and was covered by {substitute} "
        "({substitute_post}), not an authorised deputy acting for the chief"),
    ),
    "S12-AUTHORITY.detail": (
        "替补{sub}（范围：{scope}）由{decider}（{decider_post}）决定，其无权决定该范围的临时替补",
        ("Substitution {sub} (scope: {scope}) was decided by {decider} ({decider_post}), who lacks the authority "
        "for that scope"),
    ),
    "S12-AUTHORITY.detail_self": (
        "替补{sub}由替补人{substitute}自己决定",
        "Substitution {sub} was decided by the substitute, {substitute}, themself",
    ),
    "S12-TEMPORARY.detail": (
        "替补{sub}（{absent}由{substitute}替补）持续{days}天，超过临时替补上限{limit}天",
        "Substitution {sub} ({substitute} for {absent}) lasted {days} days, over the temporary limit of {limit} days",
    ),
    "S12-TEMPORARY.detail_open": (
        "替补{sub}（{absent}由{substitute}替补）没有结束时间，不属于临时性替补",
        "Substitution {sub} ({substitute} for {absent}) has no end, so it is not temporary",
    ),
    "S12-UNRECORDED.detail": (
        "审批单{matter}（{type}）第{step}环节由{approver}代行{acting}的职责办理（{at}），没有覆盖该时间的替补记录",
        ("Matter {matter} ({type}): step {step} was decided by {approver} acting for {acting} ({at}) with no "
        "substitution on record covering that time"),
    ),
    "S12-UNRECORDED.detail_many": (
        "审批单{matter}（{type}）有{steps}个代行环节没有覆盖其办理时间的替补记录，首个为第{step}环节：{approver}代行{acting}（{at}）",
        ("Matter {matter} ({type}): {steps} steps taken acting for someone have no substitution on record covering "
        "them; the first, step {step}: {approver} acting for {acting} ({at})"),
    ),
    "M4-CHAIR.detail": (
        "{mtype}{meeting}（{held_on}）由{chair}（{post}）主持，既非局长，也非经授权主持的副局长",
        "{mtype} {meeting} ({held_on}) was chaired by {chair} ({post}): neither the chief nor an authorised deputy",
    ),
    "M4-CHAIR.detail_unauthorised": (
        "{mtype}{meeting}（{held_on}）由副局长{chair}主持，但没有局长授权",
        "{mtype} {meeting} ({held_on}) was chaired by deputy {chair} without the chief's authorisation",
    ),
    "M4-ATTEND.detail_vp": (
        "局务会议{meeting}（{held_on}）分管副院长未参加",
        "Bureau meeting {meeting} ({held_on}): the VP in charge did not attend",
    ),
    "M4-ATTEND.detail_chair": (
        "局务会议{meeting}（{held_on}）主持人{chair}不在参会人员中",
        "Bureau meeting {meeting} ({held_on}): the chair, {chair}, is not among the attendees",
    ),
    "M4-ATTEND.detail_both": (
        "局务会议{meeting}（{held_on}）分管副院长未参加，主持人{chair}也不在参会人员中",
        "Bureau meeting {meeting} ({held_on}): neither the VP in charge nor the chair, {chair}, attended",
    ),
    "M4-ATTEND.detail_leads": (
        "团队长联席会议{meeting}（{held_on}）只有{leads}名团队长参加，名册共有{roster}名团队长，不足半数",
        ("Team leaders' meeting {meeting} ({held_on}): {leads} of the roster's {roster} team leaders attended, "
        "fewer than half"),
    ),
    "M4-SECRETARY.detail": (
        "局务会议{meeting}（{held_on}）党支部书记{secretary}未参加",
        "Bureau meeting {meeting} ({held_on}): the party-branch secretary, {secretary}, did not attend",
    ),
    "A7-PLAN.detail": (
        "重大疑难复杂案件{case}于{filed}立案，至数据截止日已{days}天（上限{limit}天），没有执行方案审批单（PLAN）",
        ("Major case {case}, filed {filed}: {days} days at the snapshot date (limit {limit} days) and no enforcement "
        "plan matter (PLAN)"),
    ),
    "A7-PLAN.detail_unapproved": (
        "重大疑难复杂案件{case}于{filed}立案，至数据截止日已{days}天（上限{limit}天），执行方案审批单{plans}均未经局长级批准",
        ("Major case {case}, filed {filed}: {days} days at the snapshot date (limit {limit} days) and its plan "
        "matter(s) {plans} have no chief-level approval"),
    ),
    "M4-DEPUTIES.detail": (
        "团队长联席会议{meeting}（{held_on}）没有副局长参加（名册共有{deputies}名副局长）",
        "Team leaders' meeting {meeting} ({held_on}): none of the roster's {deputies} deputies attended",
    ),
    "M4-REGULAR.detail": (
        "{month}未召开{mtype}（上一次：{last}）",
        "{month}: no {mtype} held (last one: {last})",
    ),
    "M4-REGULAR.detail_n": (
        "{month}及此前共{n}个月内未召开{mtype}（上一次：{last}）",
        "{month}: no {mtype} held in the {n} months up to it (last one: {last})",
    ),
    "M4-REGULAR.detail_never": (
        "{month}未召开{mtype}，此前库中也没有",
        "{month}: no {mtype} held, and none before it in the store",
    ),
    "M4-REGULAR.detail_never_n": (
        "{month}及此前共{n}个月内未召开{mtype}，此前库中也没有",
        "{month}: no {mtype} held in the {n} months up to it, and none before it in the store",
    ),
    "M5-VPABSENT.detail": (
        "{mtype}{meeting}的议题{item}（{topic}）决议方式为分管副院长决定，但分管副院长未参加（赞成{for}、反对{against}、弃权{abstain}），没有可作为决议的分管副院长意见",
        ("Item {item} ({topic}) of {mtype} {meeting} was recorded as decided by the VP, but the VP was absent "
        "({for} for, {against} against, {abstain} abstaining): there was no VP opinion to adopt"),
    ),
    "M5-UNDECIDED.detail": (
        "议题{item}（{topic}）于{held_on}{outcome}，至数据截止日{snapshot}已{days}天仍无最终决定日期（上限{limit}天）",
        ("Item {item} ({topic}) was {outcome} on {held_on} and, {days} days later at the snapshot date {snapshot}, "
        "still has no final decision on record (limit {limit} days)"),
    ),
    "M5-TIEBREAK.detail_no_majority": (
        "局务会议议题{item}（{topic}）未形成多数意见（赞成{for}、反对{against}、弃权{abstain}），决议方式却为{outcome}，而非分管副院长决定",
        ("Bureau item {item} ({topic}) had no majority ({for} for, {against} against, {abstain} abstaining) but "
        "was resolved as {outcome}, not by the VP"),
    ),
    "M5-TIEBREAK.detail_majority": (
        "局务会议议题{item}（{topic}）已形成多数意见（{majority}；赞成{for}、反对{against}、弃权{abstain}），却由分管副院长决定",
        ("Bureau item {item} ({topic}) had a majority ({majority}; {for} for, {against} against, {abstain} "
        "abstaining) but was decided by the VP"),
    ),
    "M5-ESCALATE.detail": (
        "议题{item}（{topic}）{outcome}，但不符合报请条件（重大疑难复杂：{major}；多数意见：{majority}；分管副院长或局长与多数意见不一致：{dissent}）",
        ("Item {item} ({topic}) was {outcome} without the conditions for it (major: {major}; majority: "
        "{majority}; VP or chief dissenting: {dissent})"),
    ),
    "M5-ADVISORY.detail": (
        "团队长联席会议议题{item}（{topic}）的决议方式为{outcome}，而团队长联席会议的意见仅供参考",
        "Team leaders' item {item} ({topic}) was resolved as {outcome}, but that meeting's opinions are advisory only",
    ),
    "M5-RECORD.detail": (
        "{mtype}{meeting}的议题{item}（{topic}）未记录在案",
        "Item {item} ({topic}) of {mtype} {meeting} was not minuted",
    ),
}

MESSAGES = {
    **{f"rule.{rid}.title": title for rid, (title, _c) in _R.items()},
    **{f"rule.{rid}.cites": cites for rid, (_t, cites) in _R.items()},
    **{f"rule.{k}": v for k, v in _DETAILS.items()},
    "rules.person": ("{name}（{id}）", "{name} ({id})"),
    "rules.yes": ("是", "yes"),
    "rules.no": ("否", "no"),
    "rules.no_majority": ("未形成", "none"),
}
