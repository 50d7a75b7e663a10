<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN" sourcelanguage="en">
<context>
    <name>Alarm</name>
    <message>
        <source>Vehicle emergency alarm (SOS) %1</source>
        <translation>车辆紧急报警 %1</translation>
    </message>
    <message>
        <source>Radio emergency call %1</source>
        <translation>电台紧急求助 %1</translation>
    </message>
    <message>
        <source>%1 entered the geofence “%2”</source>
        <translation>%1 进入电子围栏「%2」</translation>
    </message>
    <message>
        <source>%1 left the geofence “%2”</source>
        <translation>%1 离开电子围栏「%2」</translation>
    </message>
    <message>
        <source>Escalated incident awaiting acknowledgement (reminder): %1</source>
        <translation>事件上报待签收（再次提醒）：%1</translation>
    </message>
    <message>
        <source>Escalated incident awaiting acknowledgement: %1</source>
        <translation>事件上报待签收：%1</translation>
    </message>
</context>
<context>
    <name>AlarmBar</name>
    <message>
        <source>Acknowledge</source>
        <translation>确认</translation>
    </message>
    <message>
        <source>Show</source>
        <translation>查看</translation>
    </message>
    <message>
        <source>ALARM (%1 pending): %2 — %3</source>
        <translation>告警（待确认 %1 条）：%2 — %3</translation>
    </message>
    <message>
        <source>EMERGENCY</source>
        <translation>紧急</translation>
    </message>
    <message>
        <source>incident %1</source>
        <translation>事件 %1</translation>
    </message>
</context>
<context>
    <name>AnalysisDialog</name>
    <message>
        <source>Analyse a performance recording</source>
        <translation>分析演出录音录像</translation>
    </message>
    <message>
        <source>Recording:</source>
        <translation>录音录像：</translation>
    </message>
    <message>
        <source>Approved script:</source>
        <translation>审批剧本：</translation>
    </message>
    <message>
        <source>Rules file:</source>
        <translation>规则文件：</translation>
    </message>
    <message>
        <source>Language:</source>
        <translation>语言：</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <source>optional: plain text of the approved script</source>
        <translation>可选：审批剧本的纯文本文件</translation>
    </message>
    <message>
        <source>optional: the bundled rules by default</source>
        <translation>可选：默认使用内置规则</translation>
    </message>
    <message>
        <source>Chinese</source>
        <translation>中文</translation>
    </message>
    <message>
        <source>English</source>
        <translation>英文</translation>
    </message>
    <message>
        <source>Also write a PDF report</source>
        <translation>同时生成 PDF 报告</translation>
    </message>
    <message>
        <source>Analyse</source>
        <translation>开始分析</translation>
    </message>
    <message>
        <source>Open report</source>
        <translation>打开报告</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Choose a recording that exists.</source>
        <translation>请选择存在的录音录像文件。</translation>
    </message>
    <message>
        <source>An analysis is already running.</source>
        <translation>已有分析任务正在进行。</translation>
    </message>
    <message>
        <source>Starting…</source>
        <translation>正在启动…</translation>
    </message>
    <message>
        <source>Cancelling…</source>
        <translation>正在取消…</translation>
    </message>
    <message>
        <source>%1 of audio analysed in %2 s (%3× real time): %4 finding(s).</source>
        <translation>已分析 %1 的音频，用时 %2 秒（%3 倍实时）：发现 %4 处疑似问题。</translation>
    </message>
    <message>
        <source>The analysis failed: %1</source>
        <translation>分析失败：%1</translation>
    </message>
    <message>
        <source>The analysis was cancelled.</source>
        <translation>分析已取消。</translation>
    </message>
    <message>
        <source>Recordings</source>
        <translation>录音录像</translation>
    </message>
    <message>
        <source>All files</source>
        <translation>所有文件</translation>
    </message>
    <message>
        <source>Choose a recording</source>
        <translation>选择录音录像</translation>
    </message>
    <message>
        <source>Text files</source>
        <translation>文本文件</translation>
    </message>
    <message>
        <source>Choose the approved script</source>
        <translation>选择审批剧本</translation>
    </message>
</context>
<context>
    <name>AnalysisProgress</name>
    <message>
        <source>almost done</source>
        <translation>即将完成</translation>
    </message>
    <message>
        <source>about %1 s left</source>
        <translation>约剩 %1 秒</translation>
    </message>
    <message>
        <source>about %1 min left</source>
        <translation>约剩 %1 分</translation>
    </message>
    <message>
        <source>about %1 min %2 s left</source>
        <translation>约剩 %1 分 %2 秒</translation>
    </message>
    <message>
        <source>about %1 h %2 min left</source>
        <translation>约剩 %1 小时 %2 分</translation>
    </message>
    <message>
        <source>Loading the speech model…</source>
        <translation>正在加载语音识别模型…</translation>
    </message>
    <message>
        <source>Reading the recording… %1 of %2</source>
        <translation>正在读取录音录像… %1 / %2</translation>
    </message>
    <message>
        <source>Reading the recording…</source>
        <translation>正在读取录音录像…</translation>
    </message>
    <message>
        <source>Finding the speech in the recording…</source>
        <translation>正在查找录音中的语音段…</translation>
    </message>
    <message>
        <source>Transcribing… no speech found</source>
        <translation>正在转写… 未发现语音</translation>
    </message>
    <message>
        <source>Transcribing… %1 of %2 of speech (part %3 of %4)</source>
        <translation>正在转写… 已转写 %1 / %2 语音（第 %3/%4 段）</translation>
    </message>
    <message>
        <source>Checking the content rules and the script…</source>
        <translation>正在比对内容规则和审批剧本…</translation>
    </message>
    <message>
        <source>Writing the report…</source>
        <translation>正在生成报告…</translation>
    </message>
    <message>
        <source>Done.</source>
        <translation>完成。</translation>
    </message>
</context>
<context>
    <name>Audit</name>
    <message>
        <source>Incident created</source>
        <extracomment>Every action code the console records (tests check each recorded one has a name).</extracomment>
        <translation>新建事件</translation>
    </message>
    <message>
        <source>Unit assigned</source>
        <translation>派遣单元</translation>
    </message>
    <message>
        <source>Incident reassigned</source>
        <translation>事件改派</translation>
    </message>
    <message>
        <source>Assignment withdrawn</source>
        <translation>撤回派遣</translation>
    </message>
    <message>
        <source>Incident closed</source>
        <translation>事件办结</translation>
    </message>
    <message>
        <source>Incident cancelled</source>
        <translation>事件撤销</translation>
    </message>
    <message>
        <source>Incidents merged</source>
        <translation>事件合并</translation>
    </message>
    <message>
        <source>Escalated to the city</source>
        <translation>上报市级</translation>
    </message>
    <message>
        <source>Handed over to a district</source>
        <translation>移交区级</translation>
    </message>
    <message>
        <source>Escalation acknowledged</source>
        <translation>签收上报</translation>
    </message>
    <message>
        <source>Unit status changed</source>
        <translation>单元状态变更</translation>
    </message>
    <message>
        <source>Order acknowledged by radio</source>
        <translation>电台确认接令</translation>
    </message>
    <message>
        <source>Double-random draw</source>
        <translation>双随机抽取</translation>
    </message>
    <message>
        <source>Double-random draw: seed hash committed</source>
        <translation>双随机抽取：已锁定种子哈希</translation>
    </message>
    <message>
        <source>Double-random draw failed</source>
        <translation>双随机抽取失败</translation>
    </message>
    <message>
        <source>Double-random draw verified with a typed seed</source>
        <translation>用输入的种子校验双随机抽取</translation>
    </message>
    <message>
        <source>Audit log exported</source>
        <translation>导出审计日志</translation>
    </message>
    <message>
        <source>Content findings recorded</source>
        <translation>记录演出内容疑点</translation>
    </message>
    <message>
        <source>Geofence created</source>
        <translation>创建电子围栏</translation>
    </message>
    <message>
        <source>Geofence deleted</source>
        <translation>删除电子围栏</translation>
    </message>
    <message>
        <source>Evidence captured</source>
        <translation>采集证据</translation>
    </message>
    <message>
        <source>Radio message withdrawn</source>
        <translation>撤回电台短信</translation>
    </message>
    <message>
        <source>District outlines imported</source>
        <translation>导入行政区边界</translation>
    </message>
    <message>
        <source>source</source>
        <extracomment>Names of the detail keys.</extracomment>
        <translation>来源</translation>
    </message>
    <message>
        <source>category</source>
        <translation>类别</translation>
    </message>
    <message>
        <source>priority</source>
        <translation>优先级</translation>
    </message>
    <message>
        <source>name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>severity</source>
        <translation>级别</translation>
    </message>
    <message>
        <source>kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>SHA-256</source>
        <translation>SHA-256</translation>
    </message>
    <message>
        <source>file</source>
        <translation>文件</translation>
    </message>
    <message>
        <source>video source</source>
        <translation>视频源</translation>
    </message>
    <message>
        <source>incident id</source>
        <translation>事件编号（内部）</translation>
    </message>
    <message>
        <source>incident</source>
        <translation>事件</translation>
    </message>
    <message>
        <source>merged into</source>
        <translation>并入</translation>
    </message>
    <message>
        <source>scope</source>
        <translation>范围</translation>
    </message>
    <message>
        <source>method</source>
        <translation>方法</translation>
    </message>
    <message>
        <source>seed</source>
        <translation>种子</translation>
    </message>
    <message>
        <source>seed SHA-256</source>
        <translation>种子 SHA-256</translation>
    </message>
    <message>
        <source>result SHA-256</source>
        <translation>结果 SHA-256</translation>
    </message>
    <message>
        <source>candidate venues</source>
        <translation>候选场所数</translation>
    </message>
    <message>
        <source>inspectors</source>
        <translation>执法人员数</translation>
    </message>
    <message>
        <source>venues wanted</source>
        <translation>抽取场所数</translation>
    </message>
    <message>
        <source>tasks</source>
        <translation>任务数</translation>
    </message>
    <message>
        <source>official</source>
        <translation>正式抽取</translation>
    </message>
    <message>
        <source>verified</source>
        <translation>复核通过</translation>
    </message>
    <message>
        <source>problems</source>
        <translation>问题</translation>
    </message>
    <message>
        <source>reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <source>note</source>
        <translation>备注</translation>
    </message>
    <message>
        <source>outcome</source>
        <translation>办理结果</translation>
    </message>
    <message>
        <source>unit</source>
        <translation>执法单元</translation>
    </message>
    <message>
        <source>from unit</source>
        <translation>原执法单元</translation>
    </message>
    <message>
        <source>to unit</source>
        <translation>新执法单元</translation>
    </message>
    <message>
        <source>order message</source>
        <translation>指令短信</translation>
    </message>
    <message>
        <source>recall message</source>
        <translation>撤回短信</translation>
    </message>
    <message>
        <source>radio ISSI</source>
        <translation>电台 ISSI</translation>
    </message>
    <message>
        <source>from</source>
        <translation>从</translation>
    </message>
    <message>
        <source>to</source>
        <translation>至</translation>
    </message>
    <message>
        <source>escalation</source>
        <translation>上报记录</translation>
    </message>
    <message>
        <source>findings</source>
        <translation>疑点数</translation>
    </message>
    <message>
        <source>serious</source>
        <translation>严重疑点数</translation>
    </message>
    <message>
        <source>text</source>
        <translation>内容</translation>
    </message>
    <message>
        <source>outbox entry</source>
        <translation>发送队列条目</translation>
    </message>
    <message>
        <source>rows</source>
        <translation>条数</translation>
    </message>
    <message>
        <source>dispatch</source>
        <extracomment>Where a unit status change came from (``unit.status`` ``source``).</extracomment>
        <translation>调度派遣</translation>
    </message>
    <message>
        <source>set by hand</source>
        <translation>人工设置</translation>
    </message>
    <message>
        <source>radio status message</source>
        <translation>电台状态消息</translation>
    </message>
    <message>
        <source>system</source>
        <translation>系统</translation>
    </message>
    <message>
        <source>snapshot</source>
        <translation>截图</translation>
    </message>
    <message>
        <source>video clip</source>
        <translation>视频片段</translation>
    </message>
    <message>
        <source>recording</source>
        <translation>录音录像</translation>
    </message>
    <message>
        <source>report</source>
        <translation>报告</translation>
    </message>
    <message>
        <source>document</source>
        <translation>文书</translation>
    </message>
    <message>
        <source>; </source>
        <translation>；</translation>
    </message>
    <message>
        <source>city centre</source>
        <translation>市级指挥中心</translation>
    </message>
    <message>
        <source>yes</source>
        <translation>是</translation>
    </message>
    <message>
        <source>no</source>
        <translation>否</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1：%2</translation>
    </message>
</context>
<context>
    <name>AuditLogViewer</name>
    <message>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>Who</source>
        <translation>操作人</translation>
    </message>
    <message>
        <source>Console</source>
        <translation>席位</translation>
    </message>
    <message>
        <source>Action</source>
        <translation>操作</translation>
    </message>
    <message>
        <source>Target</source>
        <translation>对象</translation>
    </message>
    <message>
        <source>Details</source>
        <translation>详情</translation>
    </message>
    <message>
        <source>&amp;From</source>
        <translation>起(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;To</source>
        <translation>止(&amp;T)</translation>
    </message>
    <message>
        <source>&amp;Who</source>
        <translation>操作人(&amp;W)</translation>
    </message>
    <message>
        <source>&amp;Action</source>
        <translation>操作(&amp;A)</translation>
    </message>
    <message>
        <source>Te&amp;xt</source>
        <translation>关键词(&amp;X)</translation>
    </message>
    <message>
        <source>Operator name, exactly</source>
        <translation>操作人姓名（完全一致）</translation>
    </message>
    <message>
        <source>e.g. incident. (all incident actions)</source>
        <translation>例如 incident.（全部事件类操作）</translation>
    </message>
    <message>
        <source>Words in the target, console or details</source>
        <translation>对象、席位或详情中的文字</translation>
    </message>
    <message>
        <source>&amp;Search</source>
        <translation>查询(&amp;S)</translation>
    </message>
    <message>
        <source>&amp;Export CSV…</source>
        <translation>导出 CSV(&amp;E)…</translation>
    </message>
    <message>
        <source>Searching…</source>
        <translation>正在查询…</translation>
    </message>
    <message>
        <source>%1 event(s)</source>
        <translation>共 %1 条记录</translation>
    </message>
    <message>
        <source>Export audit log</source>
        <translation>导出审计日志</translation>
    </message>
    <message>
        <source>CSV files (*.csv)</source>
        <translation>CSV 文件 (*.csv)</translation>
    </message>
    <message>
        <source>Exporting…</source>
        <translation>正在导出…</translation>
    </message>
    <message>
        <source>%1 event(s) exported.</source>
        <translation>已导出 %1 条记录。</translation>
    </message>
</context>
<context>
    <name>CloseIncidentDialog</name>
    <message>
        <source>Close incident %1</source>
        <translation>办结事件 %1</translation>
    </message>
    <message>
        <source>&amp;Outcome</source>
        <translation>处置结果(&amp;O)</translation>
    </message>
    <message>
        <source>&amp;Note (what was found, what was done)</source>
        <translation>处置说明（发现的情况、采取的措施）(&amp;N)</translation>
    </message>
    <message>
        <source>Close incident</source>
        <translation>办结事件</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>— choose the outcome (arrow keys) —</source>
        <translation>— 请选择处置结果（方向键）—</translation>
    </message>
    <message>
        <source>Still assigned: %1. They will be released; units still on their way are told by radio.</source>
        <translation>仍在派遣中：%1。办结后将解除派遣；尚在途中的单元将通过电台通知。</translation>
    </message>
    <message>
        <source>Choose the outcome first.</source>
        <translation>请先选择处置结果。</translation>
    </message>
    <message>
        <source>The note is too long (at most %1 characters).</source>
        <translation>处置说明过长（最多 %1 字）。</translation>
    </message>
    <message>
        <source>Closing…</source>
        <translation>正在办结…</translation>
    </message>
</context>
<context>
    <name>CreditGrade</name>
    <message>
        <source>A (green)</source>
        <translation>A级（绿）</translation>
    </message>
    <message>
        <source>B (blue)</source>
        <translation>B级（蓝）</translation>
    </message>
    <message>
        <source>C (yellow)</source>
        <translation>C级（黄）</translation>
    </message>
    <message>
        <source>D (red)</source>
        <translation>D级（红）</translation>
    </message>
</context>
<context>
    <name>Dispatch</name>
    <message>
        <source>The incident no longer exists.</source>
        <translation>该事件已不存在。</translation>
    </message>
    <message>
        <source>The unit no longer exists.</source>
        <translation>该执法单元已不存在。</translation>
    </message>
    <message>
        <source>The venue no longer exists.</source>
        <translation>该场所已不存在。</translation>
    </message>
    <message>
        <source>The assignment no longer exists.</source>
        <translation>该派遣记录已不存在。</translation>
    </message>
    <message>
        <source>The escalation no longer exists.</source>
        <translation>该上报记录已不存在。</translation>
    </message>
    <message>
        <source>Radio {issi} belongs to no unit.</source>
        <translation>电台 {issi} 未编入任何执法单元。</translation>
    </message>
    <message>
        <source>This is outside the jurisdiction of this console.</source>
        <translation>超出本席位的管辖范围。</translation>
    </message>
    <message>
        <source>Unit {call_sign} belongs to another district; escalate the incident to the city centre to use units of other districts.</source>
        <translation>{call_sign} 属于其他辖区；如需调用其他辖区力量，请先将事件上报市级指挥中心。</translation>
    </message>
    <message>
        <source>Incident {number} is already closed, cancelled or merged.</source>
        <translation>事件 {number} 已办结、撤销或合并。</translation>
    </message>
    <message>
        <source>Unit {call_sign} is not available (status: {status}).</source>
        <translation>{call_sign} 当前不可派遣（状态：{status}）。</translation>
    </message>
    <message>
        <source>Unit {call_sign} is already assigned to incident {number}.</source>
        <translation>{call_sign} 已派往事件 {number}。</translation>
    </message>
    <message>
        <source>Unit {call_sign} cannot go from “{from_status}” to “{to_status}”.</source>
        <translation>{call_sign} 不能从“{from_status}”变为“{to_status}”。</translation>
    </message>
    <message>
        <source>Unit {call_sign} has no active assignment; assign it to an incident instead.</source>
        <translation>{call_sign} 当前没有派遣任务；请通过派遣事件来下达任务。</translation>
    </message>
    <message>
        <source>This assignment has already ended.</source>
        <translation>该派遣已结束。</translation>
    </message>
    <message>
        <source>The city centre cannot escalate further; hand the incident to a district instead.</source>
        <translation>市级指挥中心无需再上报；可将事件移交相应区。</translation>
    </message>
    <message>
        <source>Incident {number} is already waiting for the city centre.</source>
        <translation>事件 {number} 已上报，正等待市级指挥中心签收。</translation>
    </message>
    <message>
        <source>This was already acknowledged by {by}.</source>
        <translation>已由 {by} 签收。</translation>
    </message>
    <message>
        <source>Unknown district {district}.</source>
        <translation>未知辖区 {district}。</translation>
    </message>
    <message>
        <source>Incident {number} already belongs to that district.</source>
        <translation>事件 {number} 已属于该辖区。</translation>
    </message>
    <message>
        <source>Incident {number} still has units assigned; cancel their assignments first.</source>
        <translation>事件 {number} 仍有派遣中的单元，请先撤回派遣。</translation>
    </message>
    <message>
        <source>An incident cannot be merged into itself.</source>
        <translation>事件不能与自身合并。</translation>
    </message>
    <message>
        <source>Invalid input: {detail}</source>
        <translation>输入有误：{detail}</translation>
    </message>
    <message>
        <source>Only {available} venues can be drawn, {wanted} were asked for.</source>
        <translation>可抽取场所仅 {available} 家，少于要求的 {wanted} 家。</translation>
    </message>
    <message>
        <source>Not enough eligible inspectors to staff {wanted} inspection teams.</source>
        <translation>符合条件的执法人员不足，无法组成 {wanted} 个检查组。</translation>
    </message>
    <message>
        <source>There is no draw {number} visible to this console.</source>
        <translation>本调度台查不到抽取批次 {number}。</translation>
    </message>
    <message>
        <source>Draw {number} has not been run yet; its seed is revealed only with its result.</source>
        <translation>抽取批次 {number} 尚未执行；随机种子在公布结果时才公开。</translation>
    </message>
    <message>
        <source>Draw {number} has already been run.</source>
        <translation>抽取批次 {number} 已经执行过了。</translation>
    </message>
    <message>
        <source>This is not the seed committed for draw {number}; a typed seed can only verify a draw, never make one.</source>
        <translation>这不是抽取批次 {number} 事先锁定的随机种子；手工输入的种子只能用于校验，不能用于正式抽取。</translation>
    </message>
    <message>
        <source>The seed of draw {number} is no longer held by this console (it was restarted); the draw stays pending in the history. Prepare a new draw.</source>
        <translation>本调度台已不再持有抽取批次 {number} 的随机种子（程序曾重启），该批次在历史记录中保持“待执行”状态。请重新发起抽取。</translation>
    </message>
    <message>
        <source>No violation found</source>
        <translation>未发现违法行为</translation>
    </message>
    <message>
        <source>Corrected on site</source>
        <translation>当场责令改正</translation>
    </message>
    <message>
        <source>Ordered to rectify by a deadline</source>
        <translation>责令限期整改</translation>
    </message>
    <message>
        <source>Case opened</source>
        <translation>立案查处</translation>
    </message>
    <message>
        <source>Referred to another authority</source>
        <translation>移交相关部门</translation>
    </message>
    <message>
        <source>Could not be verified (venue closed, nobody found)</source>
        <translation>无法核实（场所未营业、现场无人等）</translation>
    </message>
    <message>
        <source>False alarm</source>
        <translation>误报</translation>
    </message>
    <message>
        <source>Escalated to the city centre</source>
        <translation>已上报市级指挥中心</translation>
    </message>
    <message>
        <source>Handed over to another district</source>
        <translation>已移交其他区</translation>
    </message>
    <message>
        <source>Not offered: off duty</source>
        <translation>不可派：已下班</translation>
    </message>
    <message>
        <source>Not offered: out of service</source>
        <translation>不可派：暂停勤务</translation>
    </message>
    <message>
        <source>Not offered: busy with another job ({status})</source>
        <translation>不可派：正在执行其他任务（{status}）</translation>
    </message>
    <message>
        <source>Not offered: in an emergency</source>
        <translation>不可派：处于紧急求助状态</translation>
    </message>
    <message>
        <source>Not offered: a unit of {district}; units of other districts go only to an escalated incident</source>
        <translation>不可派：属{district}；其他辖区的单元仅可派往已上报的事件</translation>
    </message>
    <message>
        <source>still clearing its last job: offered after every free unit</source>
        <translation>上一任务尚在收尾：排在所有空闲单元之后</translation>
    </message>
    <message>
        <source>city corps: the city centre may send it to any district</source>
        <translation>总队直属：市指挥中心可派往任何辖区</translation>
    </message>
    <message>
        <source>the city corps</source>
        <translation>总队直属</translation>
    </message>
    <message>
        <source>The incident is escalated: units of every district and the city corps may go.</source>
        <translation>事件已上报：各区单元及总队直属单元均可派出。</translation>
    </message>
    <message>
        <source>A city-level incident: every unit of this console may go.</source>
        <translation>市级事件：本调度台的所有单元均可派出。</translation>
    </message>
    <message>
        <source>Units of {district} and the city corps may go; units of other districts only once the incident is escalated.</source>
        <translation>可派{district}单元及总队直属单元；其他辖区单元须待事件上报后方可派出。</translation>
    </message>
    <message>
        <source>Only units of {district} may go; escalate to the city centre (F8) for the city corps or other districts.</source>
        <translation>仅可派{district}单元；如需总队直属或其他辖区单元，请上报市指挥中心（F8）。</translation>
    </message>
</context>
<context>
    <name>DispatchService</name>
    <message>
        <source>The action failed: %1</source>
        <extracomment>Seeds of the draws this console committed and has not run yet (never stored).</extracomment>
        <translation>操作失败：%1</translation>
    </message>
</context>
<context>
    <name>DrawDialog</name>
    <message>
        <source>Double-random inspection draw</source>
        <translation>双随机抽查</translation>
    </message>
    <message>
        <source>&amp;Past draws</source>
        <translation>历史抽取(&amp;P)</translation>
    </message>
    <message>
        <source>Parameters</source>
        <translation>抽取参数</translation>
    </message>
    <message>
        <source>Whole city</source>
        <translation>全市</translation>
    </message>
    <message>
        <source>&amp;Venues from</source>
        <translation>抽取范围(&amp;V)</translation>
    </message>
    <message>
        <source>&amp;Number of venues</source>
        <translation>抽取场所数(&amp;N)</translation>
    </message>
    <message>
        <source>&amp;Inspectors per venue</source>
        <translation>每家场所执法人员数(&amp;I)</translation>
    </message>
    <message>
        <source>&amp;Most tasks per inspector</source>
        <translation>每名执法人员最多任务数(&amp;M)</translation>
    </message>
    <message>
        <source>Weight of grade %1</source>
        <translation>%1权重</translation>
    </message>
    <message>
        <source>Skip venues inspected in the last (days)</source>
        <translation>近期已检查的场所不抽（天）</translation>
    </message>
    <message>
        <source>Inspector avoids a venue inspected in the last (days)</source>
        <translation>执法人员回避近期检查过的场所（天）</translation>
    </message>
    <message>
        <source>&amp;Commit seed (step 1 of 2)</source>
        <translation>锁定随机种子（第 1 步，共 2 步）(&amp;C)</translation>
    </message>
    <message>
        <source>Stores the draw with the SHA-256 of a seed the console takes from the operating system&apos;s secure random generator. Nobody chooses or sees the seed before the draw runs.</source>
        <translation>保存本次抽取，并记录随机种子的 SHA-256 值。种子由调度台从操作系统的安全随机数发生器取得，执行抽取前任何人都无法选择或看到它。</translation>
    </message>
    <message>
        <source>Verify a stored draw with a seed</source>
        <translation>用随机种子校验已存档的抽取</translation>
    </message>
    <message>
        <source>A typed seed only verifies or reproduces a stored draw; it never makes an official draw or tasks.</source>
        <translation>手工输入的种子只用于校验或复现已存档的抽取，不会产生正式抽取结果或检查任务。</translation>
    </message>
    <message>
        <source>&amp;Seed</source>
        <translation>随机种子(&amp;S)</translation>
    </message>
    <message>
        <source>Result</source>
        <translation>抽取结果</translation>
    </message>
    <message>
        <source>#</source>
        <translation>序号</translation>
    </message>
    <message>
        <source>Venue</source>
        <translation>场所</translation>
    </message>
    <message>
        <source>Licence</source>
        <translation>许可证号</translation>
    </message>
    <message>
        <source>Grade</source>
        <translation>等级</translation>
    </message>
    <message>
        <source>Weight (share)</source>
        <translation>权重（占比）</translation>
    </message>
    <message>
        <source>Inspectors</source>
        <translation>执法人员</translation>
    </message>
    <message>
        <source>Task</source>
        <translation>任务</translation>
    </message>
    <message>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Seed SHA-256 (committed)</source>
        <translation>随机种子 SHA-256（事先锁定）</translation>
    </message>
    <message>
        <source>Seed</source>
        <translation>随机种子</translation>
    </message>
    <message>
        <source>Method</source>
        <translation>抽取方法</translation>
    </message>
    <message>
        <source>Result SHA-256</source>
        <translation>结果 SHA-256</translation>
    </message>
    <message>
        <source>Inputs SHA-256</source>
        <translation>输入 SHA-256</translation>
    </message>
    <message>
        <source>&amp;Run the draw (step 2 of 2)</source>
        <translation>执行抽取（第 2 步，共 2 步）(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Verify</source>
        <translation>校验(&amp;V)</translation>
    </message>
    <message>
        <source>&amp;Copy record (JSON)</source>
        <translation>复制抽取记录（JSON）(&amp;C)</translation>
    </message>
    <message>
        <source>Committing the seed…</source>
        <translation>正在锁定随机种子…</translation>
    </message>
    <message>
        <source>Enter the number of a stored draw.</source>
        <translation>请输入已存档抽取的批次号。</translation>
    </message>
    <message>
        <source>A seed is 1 to 64 letters, digits, &apos;_&apos;, &apos;.&apos; or &apos;-&apos;.</source>
        <translation>随机种子须为 1 至 64 个字母、数字或“_”“.”“-”。</translation>
    </message>
    <message>
        <source>At least one grade needs a weight above 0.</source>
        <translation>至少一个等级的权重须大于 0。</translation>
    </message>
    <message>
        <source>Draw &amp;number</source>
        <translation>抽取批次号(&amp;N)</translation>
    </message>
    <message>
        <source>e.g. SJ20261127-01</source>
        <translation>例如 SJ20261127-01</translation>
    </message>
    <message>
        <source>the seed the draw revealed</source>
        <translation>该批次公布的随机种子</translation>
    </message>
    <message>
        <source>Verify &amp;with this seed</source>
        <translation>用此种子校验(&amp;W)</translation>
    </message>
    <message>
        <source>Drawing…</source>
        <translation>正在抽取…</translation>
    </message>
    <message>
        <source>Verifying…</source>
        <translation>正在校验…</translation>
    </message>
    <message>
        <source>VERIFICATION ONLY, not an official draw: this seed is the one committed for draw %1 (SHA-256 %2) and re-running the draw with it gives the stored %3 venues and inspectors.</source>
        <translation>仅为校验，不是正式抽取：此种子正是抽取批次 %1 事先锁定的种子（SHA-256 %2），用它重新抽取得到与存档相同的 %3 个场所及执法人员。</translation>
    </message>
    <message>
        <source>VERIFICATION ONLY, not an official draw: draw %1 does NOT match this seed: %2</source>
        <translation>仅为校验，不是正式抽取：抽取批次 %1 与此种子不符：%2</translation>
    </message>
    <message>
        <source>(revealed when the draw runs)</source>
        <translation>（执行抽取时公布）</translation>
    </message>
    <message>
        <source>Seed committed, not drawn yet</source>
        <translation>已锁定种子，尚未抽取</translation>
    </message>
    <message>
        <source>Failed: nothing was drawn</source>
        <translation>失败：未抽出任何结果</translation>
    </message>
    <message>
        <source>Drawn (before seed commitment: the seed could be typed in)</source>
        <translation>已抽取（早于种子锁定机制：种子可能为手工输入）</translation>
    </message>
    <message>
        <source>Drawn with the committed seed</source>
        <translation>已用事先锁定的种子抽取</translation>
    </message>
    <message>
        <source>No draw yet.</source>
        <translation>尚未抽取。</translation>
    </message>
    <message>
        <source>Draw %1 committed at %2 by %3 from %4 candidate venues. Its seed&apos;s SHA-256 is below: note it down, then run the draw. The seed is revealed with the result and must match this hash.</source>
        <translation>抽取批次 %1 已于 %2 由 %3 锁定，候选场所 %4 个。随机种子的 SHA-256 值见下方：请记录后再执行抽取。种子将随结果一并公布，且必须与该哈希值一致。</translation>
    </message>
    <message>
        <source>Draw %1 was run and drew nothing: %2</source>
        <translation>抽取批次 %1 已执行，但未抽出结果：%2</translation>
    </message>
    <message>
        <source>Draw %1 at %2 by %3: %4 of %5 candidate venues (excluded: %6).</source>
        <translation>批次 %1，%2 由 %3 抽取：从 %5 家候选场所中抽取 %4 家（排除 %6 家）。</translation>
    </message>
    <message>
        <source>Verification FAILED: %1</source>
        <translation>校验未通过：%1</translation>
    </message>
    <message>
        <source>Verified: re-running the draw from its stored candidates, weights and seed gives the same venues and inspectors, and the hashes match.</source>
        <translation>校验通过：按存档的候选名单、权重和随机种子重新抽取，得到相同的场所和执法人员，哈希值一致。</translation>
    </message>
    <message>
        <source>Record copied to the clipboard.</source>
        <translation>抽取记录已复制到剪贴板。</translation>
    </message>
    <message>
        <source>not run, seed SHA-256 %1…</source>
        <translation>未执行，种子 SHA-256 %1…</translation>
    </message>
    <message>
        <source>failed, nothing drawn</source>
        <translation>失败，未抽出结果</translation>
    </message>
</context>
<context>
    <name>EscalateDialog</name>
    <message>
        <source>Escalate or hand over %1</source>
        <translation>上报或移交 %1</translation>
    </message>
    <message>
        <source>&amp;Escalate to the city centre</source>
        <translation>上报市级指挥中心(&amp;E)</translation>
    </message>
    <message>
        <source>&amp;Hand over to the district:</source>
        <translation>移交以下区(&amp;H)：</translation>
    </message>
    <message>
        <source>&amp;Reason (required)</source>
        <translation>原因（必填）(&amp;R)</translation>
    </message>
    <message>
        <source>Send</source>
        <translation>发送</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Give a reason: the receiving centre reads it.</source>
        <translation>请填写原因，接收方将据此处理。</translation>
    </message>
    <message>
        <source>Sending…</source>
        <translation>正在发送…</translation>
    </message>
</context>
<context>
    <name>EvidenceDialog</name>
    <message>
        <source>Evidence</source>
        <translation>证据</translation>
    </message>
    <message>
        <source>Open file</source>
        <translation>打开文件</translation>
    </message>
    <message>
        <source>Open folder</source>
        <translation>打开所在文件夹</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>The evidence list could not be read: %1</source>
        <translation>无法读取证据列表：%1</translation>
    </message>
    <message>
        <source>Select an evidence item first.</source>
        <translation>请先选择一条证据。</translation>
    </message>
    <message>
        <source>The file is no longer there: %1</source>
        <translation>文件已不存在：%1</translation>
    </message>
    <message>
        <source>No program on this desktop opens this file. It is at %1</source>
        <translation>本机桌面没有可打开此文件的程序。文件位于 %1</translation>
    </message>
    <message>
        <source>No file manager could be started on this desktop. The file is in %1</source>
        <translation>本机桌面无法启动文件管理器。文件所在文件夹：%1</translation>
    </message>
</context>
<context>
    <name>EvidencePanel</name>
    <message>
        <source>Snapshot</source>
        <translation>截图</translation>
    </message>
    <message>
        <source>Clip</source>
        <translation>视频片段</translation>
    </message>
    <message>
        <source>Recording</source>
        <translation>录音录像</translation>
    </message>
    <message>
        <source>Report</source>
        <translation>报告</translation>
    </message>
    <message>
        <source>Document</source>
        <translation>文书</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Source</source>
        <translation>来源</translation>
    </message>
    <message>
        <source>Captured at</source>
        <translation>采集时间</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>大小</translation>
    </message>
    <message>
        <source>SHA-256</source>
        <translation>SHA-256</translation>
    </message>
    <message>
        <source>Incident</source>
        <translation>关联事件</translation>
    </message>
    <message>
        <source>Captured by</source>
        <translation>采集人</translation>
    </message>
    <message>
        <source>File</source>
        <translation>文件</translation>
    </message>
    <message>
        <source>Snapshots and clips</source>
        <translation>截图和视频片段</translation>
    </message>
    <message>
        <source>Recordings</source>
        <translation>录音录像</translation>
    </message>
    <message>
        <source>All evidence</source>
        <translation>全部证据</translation>
    </message>
    <message>
        <source>Filter: source, incident, SHA-256, file…</source>
        <translation>筛选：来源、事件、SHA-256、文件…</translation>
    </message>
</context>
<context>
    <name>FindingCategory</name>
    <message>
        <source>Unapproved performance content (differs from the approved script)</source>
        <translation>未经审批的演出内容（与审批剧本不符）</translation>
    </message>
    <message>
        <source>Opposing the basic principles laid down in the Constitution</source>
        <translation>反对宪法确定的基本原则</translation>
    </message>
    <message>
        <source>Endangering national unity, sovereignty and territorial integrity, endangering national security, or harming national honour and interests</source>
        <translation>危害国家统一、主权和领土完整，危害国家安全，或者损害国家荣誉和利益</translation>
    </message>
    <message>
        <source>Inciting ethnic hatred or discrimination, infringing ethnic customs, hurting ethnic feelings, undermining ethnic unity, or violating religious policy</source>
        <translation>煽动民族仇恨、民族歧视，侵害民族风俗习惯，伤害民族感情，破坏民族团结，违反宗教政策</translation>
    </message>
    <message>
        <source>Disturbing social order or undermining social stability</source>
        <translation>扰乱社会秩序，破坏社会稳定</translation>
    </message>
    <message>
        <source>Endangering social morality or the nation&apos;s fine cultural traditions</source>
        <translation>危害社会公德或者民族优秀文化传统</translation>
    </message>
    <message>
        <source>Promoting obscenity, pornography, cults or superstition, or playing up violence</source>
        <translation>宣扬淫秽、色情、邪教、迷信或者渲染暴力</translation>
    </message>
    <message>
        <source>Insulting or slandering others, infringing their lawful rights and interests</source>
        <translation>侮辱或者诽谤他人，侵害他人合法权益</translation>
    </message>
    <message>
        <source>Terrifying or cruel performance that harms the performers&apos; physical or mental health</source>
        <translation>表演方式恐怖、残忍，摧残演员身心健康</translation>
    </message>
    <message>
        <source>Attracting audiences by exploiting physical defects or displaying bodily abnormalities</source>
        <translation>利用人体缺陷或者以展示人体变异等方式招徕观众</translation>
    </message>
    <message>
        <source>Other circumstances prohibited by laws and administrative regulations</source>
        <translation>法律、行政法规禁止的其他情形</translation>
    </message>
    <message>
        <source>Item %1</source>
        <translation>第%1项</translation>
    </message>
    <message>
        <source>Script deviation: %1</source>
        <translation>剧本偏离：%1</translation>
    </message>
    <message>
        <source>Item %1: %2</source>
        <translation>第%1项：%2</translation>
    </message>
</context>
<context>
    <name>GeofenceDialog</name>
    <message>
        <source>Save geofence</source>
        <translation>保存电子围栏</translation>
    </message>
    <message>
        <source>Critical: alarm and incident</source>
        <translation>严重：报警并生成事件</translation>
    </message>
    <message>
        <source>Warning: alarm</source>
        <translation>警告：报警</translation>
    </message>
    <message>
        <source>Notice: log only</source>
        <translation>提示：仅记录</translation>
    </message>
    <message>
        <source>Information: log only</source>
        <translation>信息：仅记录</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>When a unit enters or leaves</source>
        <translation>执法单元进出时</translation>
    </message>
</context>
<context>
    <name>IncidentCategory</name>
    <message>
        <source>Unlicensed operation</source>
        <translation>无证经营</translation>
    </message>
    <message>
        <source>Minors admitted</source>
        <translation>接纳未成年人</translation>
    </message>
    <message>
        <source>Prohibited content</source>
        <translation>演出含禁止内容</translation>
    </message>
    <message>
        <source>Unapproved performance</source>
        <translation>未经审批演出</translation>
    </message>
    <message>
        <source>Pirated publications</source>
        <translation>盗版出版物</translation>
    </message>
    <message>
        <source>Noise nuisance</source>
        <translation>噪声扰民</translation>
    </message>
    <message>
        <source>Operating after hours</source>
        <translation>超时经营</translation>
    </message>
    <message>
        <source>Gambling</source>
        <translation>涉赌</translation>
    </message>
    <message>
        <source>Officer emergency</source>
        <translation>队员紧急求助</translation>
    </message>
    <message>
        <source>Vehicle alarm</source>
        <translation>车辆报警</translation>
    </message>
    <message>
        <source>Geofence alarm</source>
        <translation>电子围栏报警</translation>
    </message>
    <message>
        <source>Inspection</source>
        <translation>检查任务</translation>
    </message>
    <message>
        <source>Other</source>
        <translation>其他</translation>
    </message>
</context>
<context>
    <name>IncidentSource</name>
    <message>
        <source>12318 hotline</source>
        <translation>12318热线</translation>
    </message>
    <message>
        <source>12345 hotline</source>
        <translation>12345热线</translation>
    </message>
    <message>
        <source>Transcript finding</source>
        <translation>语音分析发现</translation>
    </message>
    <message>
        <source>Radio emergency</source>
        <translation>电台紧急呼叫</translation>
    </message>
    <message>
        <source>Vehicle SOS</source>
        <translation>车辆紧急报警</translation>
    </message>
    <message>
        <source>Geofence alarm</source>
        <translation>电子围栏报警</translation>
    </message>
    <message>
        <source>Random inspection</source>
        <translation>双随机抽查</translation>
    </message>
    <message>
        <source>Patrol</source>
        <translation>巡查发现</translation>
    </message>
    <message>
        <source>Manual entry</source>
        <translation>人工录入</translation>
    </message>
</context>
<context>
    <name>IncidentStatus</name>
    <message>
        <source>New</source>
        <translation>新建</translation>
    </message>
    <message>
        <source>Dispatched</source>
        <translation>已派遣</translation>
    </message>
    <message>
        <source>In progress</source>
        <translation>处置中</translation>
    </message>
    <message>
        <source>Escalated</source>
        <translation>已上报</translation>
    </message>
    <message>
        <source>Closed</source>
        <translation>已办结</translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation>已取消</translation>
    </message>
    <message>
        <source>Merged</source>
        <translation>已合并</translation>
    </message>
</context>
<context>
    <name>IncidentsPanel</name>
    <message>
        <source>Number</source>
        <translation>编号</translation>
    </message>
    <message>
        <source>Reported</source>
        <translation>受理时间</translation>
    </message>
    <message>
        <source>Priority</source>
        <translation>优先级</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Timer</source>
        <translation>用时</translation>
    </message>
    <message>
        <source>Category</source>
        <translation>类别</translation>
    </message>
    <message>
        <source>Venue</source>
        <translation>场所</translation>
    </message>
    <message>
        <source>District</source>
        <translation>辖区</translation>
    </message>
    <message>
        <source>Units</source>
        <translation>执法单元</translation>
    </message>
    <message>
        <source>Source</source>
        <translation>来源</translation>
    </message>
    <message>
        <source>Summary</source>
        <translation>摘要</translation>
    </message>
    <message>
        <source>waiting for dispatch</source>
        <translation>待派遣</translation>
    </message>
    <message>
        <source>unit on its way</source>
        <translation>单元在途</translation>
    </message>
    <message>
        <source>unit on scene</source>
        <translation>单元在场</translation>
    </message>
    <message>
        <source>%1; red at %2</source>
        <translation>%1；%2 转红</translation>
    </message>
    <message>
        <source>Filter: number, venue, district, category…</source>
        <translation>筛选：编号、场所、辖区、类别…</translation>
    </message>
    <message>
        <source>Open only</source>
        <translation>仅未办结</translation>
    </message>
</context>
<context>
    <name>IntakeForm</name>
    <message>
        <source>New complaint</source>
        <extracomment>Categories the system raises by itself; a complaint never has them.</extracomment>
        <translation>新建举报</translation>
    </message>
    <message>
        <source>&amp;Source</source>
        <translation>来源(&amp;S)</translation>
    </message>
    <message>
        <source>C&amp;aller</source>
        <translation>来电人(&amp;A)</translation>
    </message>
    <message>
        <source>&amp;Phone</source>
        <translation>电话(&amp;P)</translation>
    </message>
    <message>
        <source>Ca&amp;tegory</source>
        <translation>类别(&amp;T)</translation>
    </message>
    <message>
        <source>P&amp;riority</source>
        <translation>优先级(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Venue</source>
        <translation>场所(&amp;V)</translation>
    </message>
    <message>
        <source>&amp;District</source>
        <translation>辖区(&amp;D)</translation>
    </message>
    <message>
        <source>D&amp;escription</source>
        <translation>内容(&amp;E)</translation>
    </message>
    <message>
        <source>Name as given (may stay empty)</source>
        <translation>来电人自报姓名（可空）</translation>
    </message>
    <message>
        <source>Caller&apos;s number (may stay empty)</source>
        <translation>来电号码（可空）</translation>
    </message>
    <message>
        <source>Name, licence number or address…</source>
        <translation>名称、许可证号或地址…</translation>
    </message>
    <message>
        <source>What the caller reports (Ctrl+Enter creates the incident)</source>
        <translation>来电反映的情况（Ctrl+Enter 直接建立事件）</translation>
    </message>
    <message>
        <source>Likely duplicates (same venue and category, still open)</source>
        <translation>疑似重复（同一场所、同一类别、尚未办结）</translation>
    </message>
    <message>
        <source>&amp;Merge this call into the selected incident</source>
        <translation>将本次来电并入所选事件(&amp;M)</translation>
    </message>
    <message>
        <source>Create incident</source>
        <translation>建立事件</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>%1 · %2 · licence %3 · grade %4</source>
        <translation>%1 · %2 · 许可证 %3 · %4</translation>
    </message>
    <message>
        <source>Map point %1, %2 (no venue nearby)</source>
        <translation>地图位置 %1, %2（附近无场所）</translation>
    </message>
    <message>
        <source>No venue chosen</source>
        <translation>未选择场所</translation>
    </message>
    <message>
        <source>Pick the venue from the list, or clear the venue field.</source>
        <translation>请从列表中选择场所，或清空场所栏。</translation>
    </message>
    <message>
        <source>Choose a venue or a district.</source>
        <translation>请选择场所或辖区。</translation>
    </message>
    <message>
        <source>The phone number may contain only digits, spaces, hyphens and brackets (5 to 20 digits).</source>
        <translation>电话号码只能包含数字、空格、连字符和括号（5 至 20 位数字）。</translation>
    </message>
    <message>
        <source>Saving…</source>
        <translation>正在保存…</translation>
    </message>
</context>
<context>
    <name>LinkState</name>
    <message>
        <source>not configured</source>
        <translation>未配置</translation>
    </message>
    <message>
        <source>connecting</source>
        <translation>连接中</translation>
    </message>
    <message>
        <source>connected</source>
        <translation>已连接</translation>
    </message>
    <message>
        <source>degraded</source>
        <translation>降级</translation>
    </message>
    <message>
        <source>down</source>
        <translation>已断开</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>The text could not be queued: %1</source>
        <translation>短信未能进入发送队列：%1</translation>
    </message>
    <message>
        <source>City command centre</source>
        <translation>市级指挥调度中心</translation>
    </message>
    <message>
        <source>%1 command centre</source>
        <translation>%1指挥调度中心</translation>
    </message>
    <message>
        <source>Cultural Market Enforcement Command Console</source>
        <translation>文化市场综合执法指挥调度台</translation>
    </message>
    <message>
        <source>Units</source>
        <translation>执法单元</translation>
    </message>
    <message>
        <source>Incidents</source>
        <translation>事件</translation>
    </message>
    <message>
        <source>Radio</source>
        <translation>电台</translation>
    </message>
    <message>
        <source>Video wall</source>
        <translation>视频墙</translation>
    </message>
    <message>
        <source>Transcripts</source>
        <translation>语音转写</translation>
    </message>
    <message>
        <source>offline map</source>
        <extracomment>The window&apos;s size on a screen big enough (and on a headless run, which has no screen). ask before closing (interactive runs; never in tests, screenshots or on a signal)</extracomment>
        <translation>离线地图</translation>
    </message>
    <message>
        <source>Geofence %1</source>
        <translation>电子围栏 %1</translation>
    </message>
    <message>
        <source>The geofence was not saved: %1</source>
        <translation>电子围栏未保存：%1</translation>
    </message>
    <message>
        <source>Choose at least one unit and a time range.</source>
        <translation>请至少选择一个执法单元和时间范围。</translation>
    </message>
    <message>
        <source>No recorded positions for these units in that range.</source>
        <translation>所选单元在该时段内没有定位记录。</translation>
    </message>
    <message>
        <source>This alarm has no unit, incident or position to show.</source>
        <translation>该报警没有可显示的执法单元、事件或位置。</translation>
    </message>
    <message>
        <source>Open feed</source>
        <translation>打开视频</translation>
    </message>
    <message>
        <source>Venue dossier</source>
        <translation>场所档案</translation>
    </message>
    <message>
        <source>%1 is not available in this version of the console.</source>
        <translation>本版本调度台暂不提供“%1”。</translation>
    </message>
    <message>
        <source>Prohibited content suspected at a key venue</source>
        <translation>重点场所演出疑似含禁止内容</translation>
    </message>
    <message>
        <source>Performance saved.</source>
        <translation>演出已保存。</translation>
    </message>
    <message>
        <source>Import approved performances</source>
        <translation>导入演出审批排期</translation>
    </message>
    <message>
        <source>Schedules (*.csv *.xlsx)</source>
        <translation>排期文件 (*.csv *.xlsx)</translation>
    </message>
    <message>
        <source>%1 performance(s) imported.</source>
        <translation>已导入 %1 场演出。</translation>
    </message>
    <message>
        <source>Rows refused:</source>
        <translation>未导入的行：</translation>
    </message>
    <message>
        <source>Select an incident first.</source>
        <translation>请先选择一个事件。</translation>
    </message>
    <message>
        <source>Incident %1 created.</source>
        <translation>已建立事件 %1。</translation>
    </message>
    <message>
        <source>Audit log</source>
        <translation>审计日志</translation>
    </message>
    <message>
        <source>Snapshot saved as evidence: %1 (SHA-256 %2…)</source>
        <translation>截图已存为证据：%1（SHA-256 %2…）</translation>
    </message>
    <message>
        <source>Clip saved as evidence: %1 (SHA-256 %2…)</source>
        <translation>视频片段已存为证据：%1（SHA-256 %2…）</translation>
    </message>
    <message>
        <source>No evidence saved from %1: %2</source>
        <translation>%1 的证据未能保存：%2</translation>
    </message>
    <message>
        <source>The message was cancelled.</source>
        <translation>消息已撤销。</translation>
    </message>
    <message>
        <source>The message cannot be cancelled: %1</source>
        <translation>无法撤销该消息：%1</translation>
    </message>
    <message>
        <source>Select a unit with a radio first.</source>
        <translation>请先选择一个配有电台的执法单元。</translation>
    </message>
    <message>
        <source>Radio not configured</source>
        <translation>电台未配置</translation>
    </message>
    <message>
        <source>Set radio.port in the settings to connect the TETRA gateway radio.</source>
        <translation>请在设置中填写 radio.port，以连接800MHz集群网关电台。</translation>
    </message>
    <message>
        <source>Video wall not configured</source>
        <translation>视频墙未配置</translation>
    </message>
    <message>
        <source>No camera or venue stream is configured on this console.</source>
        <translation>本调度台未配置执法记录仪或场所视频源。</translation>
    </message>
    <message>
        <source>Speech analysis not configured</source>
        <translation>语音分析未配置</translation>
    </message>
    <message>
        <source>No speech model is configured on this console.</source>
        <translation>本调度台未配置语音识别模型。</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <source>Analyse a performance recording…</source>
        <translation>分析演出录音录像…</translation>
    </message>
    <message>
        <source>Import approved performances…</source>
        <translation>导入演出审批排期…</translation>
    </message>
    <message>
        <source>Enter an approved performance…</source>
        <translation>录入审批演出…</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <source>Restore default layout</source>
        <translation>恢复默认布局</translation>
    </message>
    <message>
        <source>Track replay…</source>
        <translation>轨迹回放…</translation>
    </message>
    <message>
        <source>Dis&amp;patch</source>
        <translation>调度(&amp;P)</translation>
    </message>
    <message>
        <source>New complaint…</source>
        <translation>新建举报…</translation>
    </message>
    <message>
        <source>Recommend units for the selected incident</source>
        <translation>为所选事件推荐派遣单元</translation>
    </message>
    <message>
        <source>Escalate or hand over…</source>
        <translation>上报或移交…</translation>
    </message>
    <message>
        <source>Close the selected incident…</source>
        <translation>办结所选事件…</translation>
    </message>
    <message>
        <source>Open the incident&apos;s cameras and venue video</source>
        <translation>打开事件相关执法记录仪和场所视频</translation>
    </message>
    <message>
        <source>Double-random inspection draw…</source>
        <translation>双随机抽查…</translation>
    </message>
    <message>
        <source>Audit log…</source>
        <translation>审计日志…</translation>
    </message>
    <message>
        <source>Evidence…</source>
        <translation>证据…</translation>
    </message>
    <message>
        <source>Dispatch</source>
        <translation>派警</translation>
    </message>
    <message>
        <source>Performances</source>
        <translation>演出排期</translation>
    </message>
    <message>
        <source>&amp;Demo</source>
        <translation>演示(&amp;D)</translation>
    </message>
    <message>
        <source>Selected unit&apos;s radio: emergency</source>
        <translation>选中单元电台：紧急呼叫</translation>
    </message>
    <message>
        <source>Selected unit&apos;s radio: status en route</source>
        <translation>选中单元电台：状态“在途”</translation>
    </message>
    <message>
        <source>Selected unit&apos;s radio: status on scene</source>
        <translation>选中单元电台：状态“到场”</translation>
    </message>
    <message>
        <source>Selected unit&apos;s radio: status clearing</source>
        <translation>选中单元电台：状态“收尾”</translation>
    </message>
    <message>
        <source>Selected unit&apos;s radio: status available</source>
        <translation>选中单元电台：状态“空闲”</translation>
    </message>
    <message>
        <source>Selected unit&apos;s radio: text reply</source>
        <translation>选中单元电台：回复短信</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <source>&amp;About</source>
        <translation>关于(&amp;A)</translation>
    </message>
    <message>
        <source>Quit the console</source>
        <translation>退出调度台</translation>
    </message>
    <message>
        <source>Quit the command console? The radio bridge, the video wall and recording stop until it is started again.</source>
        <translation>确定退出指挥调度台？电台桥接、视频墙和录像将停止，直到再次启动。</translation>
    </message>
    <message>
        <source>About</source>
        <translation>关于</translation>
    </message>
</context>
<context>
    <name>MapView</name>
    <message>
        <source>The map&apos;s renderer process exited; reloading the map…</source>
        <translation>地图渲染进程已退出，正在重新加载地图…</translation>
    </message>
    <message>
        <source>The map&apos;s renderer process keeps exiting; reloading the map in %1 s…</source>
        <translation>地图渲染进程反复退出，%1 秒后重新加载地图…</translation>
    </message>
</context>
<context>
    <name>PerformanceDialog</name>
    <message>
        <source>Approved performance</source>
        <translation>审批演出</translation>
    </message>
    <message>
        <source>Approval number</source>
        <translation>批准文号</translation>
    </message>
    <message>
        <source>Venue</source>
        <translation>场所</translation>
    </message>
    <message>
        <source>Title</source>
        <translation>演出名称</translation>
    </message>
    <message>
        <source>Troupe</source>
        <translation>演出团体</translation>
    </message>
    <message>
        <source>Performers</source>
        <translation>演员</translation>
    </message>
    <message>
        <source>Starts</source>
        <translation>开始时间</translation>
    </message>
    <message>
        <source>Ends</source>
        <translation>结束时间</translation>
    </message>
    <message>
        <source>Programme</source>
        <translation>节目单</translation>
    </message>
    <message>
        <source>Approved script</source>
        <translation>审批剧本</translation>
    </message>
    <message>
        <source>Enter the approval number.</source>
        <translation>请填写批准文号。</translation>
    </message>
    <message>
        <source>Choose the venue.</source>
        <translation>请选择演出场所。</translation>
    </message>
    <message>
        <source>Enter the title of the performance.</source>
        <translation>请填写演出名称。</translation>
    </message>
    <message>
        <source>The performance must end after it starts, within 12 hours.</source>
        <translation>结束时间须晚于开始时间，且演出不超过 12 小时。</translation>
    </message>
</context>
<context>
    <name>Priority</name>
    <message>
        <source>Urgent</source>
        <translation>紧急</translation>
    </message>
    <message>
        <source>High</source>
        <translation>高</translation>
    </message>
    <message>
        <source>Normal</source>
        <translation>一般</translation>
    </message>
    <message>
        <source>Low</source>
        <translation>低</translation>
    </message>
</context>
<context>
    <name>RadioPanel</name>
    <message>
        <source>Select talkgroup</source>
        <translation>切换通话组</translation>
    </message>
    <message>
        <source>Text to the selected radio (Enter sends)</source>
        <translation>发往所选电台的短信（回车发送）</translation>
    </message>
    <message>
        <source>Send</source>
        <translation>发送</translation>
    </message>
    <message>
        <source>Talkgroup %1</source>
        <translation>通话组 %1</translation>
    </message>
    <message>
        <source>connected</source>
        <translation>已连接</translation>
    </message>
    <message>
        <source>connecting</source>
        <translation>连接中</translation>
    </message>
    <message>
        <source>link down</source>
        <translation>链路中断</translation>
    </message>
    <message>
        <source>stopped</source>
        <translation>已停止</translation>
    </message>
    <message>
        <source>talkgroup</source>
        <translation>通话组</translation>
    </message>
    <message>
        <source>Gateway radio</source>
        <translation>网关电台</translation>
    </message>
    <message>
        <source>No one is talking</source>
        <translation>当前无人讲话</translation>
    </message>
    <message>
        <source>Talking: a radio outside this district</source>
        <translation>正在讲话：本辖区以外的电台</translation>
    </message>
    <message>
        <source>Talking: %1</source>
        <translation>正在讲话：%1</translation>
    </message>
</context>
<context>
    <name>RecommendationPanel</name>
    <message>
        <source>Rank</source>
        <translation>排序</translation>
    </message>
    <message>
        <source>Call sign</source>
        <translation>呼号</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>District</source>
        <translation>辖区</translation>
    </message>
    <message>
        <source>Distance km</source>
        <translation>直线距离（公里）</translation>
    </message>
    <message>
        <source>ETA min</source>
        <translation>预计到达（分钟）</translation>
    </message>
    <message>
        <source>Today</source>
        <translation>今日任务</translation>
    </message>
    <message>
        <source>Why</source>
        <translation>推荐依据</translation>
    </message>
    <message>
        <source>City corps</source>
        <translation>总队直属</translation>
    </message>
    <message>
        <source>position unknown</source>
        <translation>位置未知</translation>
    </message>
    <message>
        <source>%1 km straight, about %2 km by road at %3 km/h: %4 min</source>
        <translation>直线 %1 公里，路程约 %2 公里，按 %3 公里/小时约 %4 分钟</translation>
    </message>
    <message>
        <source>%1 task(s) today</source>
        <translation>今日已派 %1 次</translation>
    </message>
    <message>
        <source>position %1 min old</source>
        <translation>位置已 %1 分钟未更新</translation>
    </message>
    <message>
        <source>other district (incident escalated)</source>
        <translation>其他辖区（事件已上报）</translation>
    </message>
    <message>
        <source>; </source>
        <translation>；</translation>
    </message>
    <message>
        <source>Reassign (Ctrl+Enter)</source>
        <translation>改派 (Ctrl+Enter)</translation>
    </message>
    <message>
        <source>Assign (Ctrl+Enter)</source>
        <translation>派遣 (Ctrl+Enter)</translation>
    </message>
    <message>
        <source>No incident selected</source>
        <translation>未选择事件</translation>
    </message>
    <message>
        <source>Incident %1: %2 unit(s) may go</source>
        <translation>事件 %1：可派单元 %2 个</translation>
    </message>
    <message>
        <source> — no unit is available</source>
        <translation>— 暂无可派单元</translation>
    </message>
    <message>
        <source>; %1 not offered (greyed, with the reason)</source>
        <translation>；%1 个不可派（灰色显示，并注明原因）</translation>
    </message>
    <message>
        <source>ETA from the fleet&apos;s history: detour ×%1, %2 km/h now (%3 trips)</source>
        <translation>到达时间按车队历史轨迹估算：绕行系数 ×%1，当前时段 %2 公里/小时（%3 段行程）</translation>
    </message>
    <message>
        <source>ETA from default speeds: detour ×%1, %2 km/h now</source>
        <translation>到达时间按默认车速估算：绕行系数 ×%1，当前时段 %2 公里/小时</translation>
    </message>
    <message>
        <source>Assigning %1…</source>
        <translation>正在派遣 %1…</translation>
    </message>
    <message>
        <source>%1 assigned; it has no radio — tell the crew by phone.</source>
        <translation>已派遣 %1，但该单元未配电台，请电话通知。</translation>
    </message>
    <message>
        <source>queued</source>
        <translation>待发送</translation>
    </message>
    <message>
        <source>accepted by the gateway radio</source>
        <translation>网关电台已受理</translation>
    </message>
    <message>
        <source>sent</source>
        <translation>已发送</translation>
    </message>
    <message>
        <source>delivered</source>
        <translation>已送达</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>发送失败</translation>
    </message>
    <message>
        <source>received</source>
        <translation>已接收</translation>
    </message>
    <message>
        <source>unconfirmed: the radio did not confirm transmission</source>
        <translation>未确认：电台未确认已发出</translation>
    </message>
    <message>
        <source>cancelled</source>
        <translation>已撤销</translation>
    </message>
    <message>
        <source>Order to %1: %2</source>
        <translation>发往 %1 的调度令：%2</translation>
    </message>
</context>
<context>
    <name>RecorderCheck</name>
    <message>
        <source>Body camera not live: %1 is on scene, %2</source>
        <extracomment>States in which a camera is known not to be recording to the console.</extracomment>
        <translation>执法记录仪未在线：%1 已到场/检查中，%2</translation>
    </message>
    <message>
        <source>%1 has no stream</source>
        <translation>%1 未配置视频流</translation>
    </message>
    <message>
        <source>%1 signal lost</source>
        <translation>%1 信号丢失</translation>
    </message>
</context>
<context>
    <name>ReplayBar</name>
    <message>
        <source>Track replay</source>
        <extracomment>Playback speeds offered (× real time). China Standard Time (no daylight saving): replay times are shown in Beijing time.</extracomment>
        <translation>轨迹回放</translation>
    </message>
    <message>
        <source>Previous fix</source>
        <translation>上一定位点</translation>
    </message>
    <message>
        <source>Next fix</source>
        <translation>下一定位点</translation>
    </message>
    <message>
        <source>Replay time</source>
        <translation>回放时间</translation>
    </message>
    <message>
        <source>Replay speed</source>
        <translation>回放速度</translation>
    </message>
    <message>
        <source>Close replay</source>
        <translation>关闭回放</translation>
    </message>
    <message>
        <source>Pause</source>
        <translation>暂停</translation>
    </message>
    <message>
        <source>Play</source>
        <translation>播放</translation>
    </message>
</context>
<context>
    <name>ReplayDialog</name>
    <message>
        <source>Track replay</source>
        <translation>轨迹回放</translation>
    </message>
    <message>
        <source>From</source>
        <translation>起始</translation>
    </message>
    <message>
        <source>To</source>
        <translation>截止</translation>
    </message>
</context>
<context>
    <name>ReportViewer</name>
    <message>
        <source>The report file is missing: %1</source>
        <translation>报告文件不存在：%1</translation>
    </message>
    <message>
        <source>Report — %1</source>
        <translation>报告 — %1</translation>
    </message>
    <message>
        <source>Open folder</source>
        <translation>打开所在文件夹</translation>
    </message>
    <message>
        <source>Show the report&apos;s folder in the desktop&apos;s file manager</source>
        <translation>在桌面文件管理器中显示报告所在文件夹</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>The report could not be shown. It is at %1</source>
        <translation>无法显示报告。报告位于 %1</translation>
    </message>
    <message>
        <source>No file manager could be started on this desktop. The report is in %1</source>
        <translation>本机桌面无法启动文件管理器。报告所在文件夹：%1</translation>
    </message>
</context>
<context>
    <name>RowTablePanel</name>
    <message>
        <source>%1 of %2</source>
        <translation>%1 / %2</translation>
    </message>
</context>
<context>
    <name>SchedulePanel</name>
    <message>
        <source>on now: recording</source>
        <translation>正在演出：录制中</translation>
    </message>
    <message>
        <source>scheduled</source>
        <translation>待演出</translation>
    </message>
    <message>
        <source>analysed: %1 finding(s)</source>
        <translation>已分析：疑似问题 %1 处</translation>
    </message>
    <message>
        <source>no recording</source>
        <translation>无录制</translation>
    </message>
    <message>
        <source>analysis failed</source>
        <translation>分析失败</translation>
    </message>
    <message>
        <source>analysing</source>
        <translation>分析中</translation>
    </message>
    <message>
        <source>waiting for analysis</source>
        <translation>待分析</translation>
    </message>
    <message>
        <source>Approval number</source>
        <translation>批准文号</translation>
    </message>
    <message>
        <source>Venue</source>
        <translation>场所</translation>
    </message>
    <message>
        <source>Title</source>
        <translation>演出名称</translation>
    </message>
    <message>
        <source>Starts</source>
        <translation>开始</translation>
    </message>
    <message>
        <source>Ends</source>
        <translation>结束</translation>
    </message>
    <message>
        <source>Troupe</source>
        <translation>演出团体</translation>
    </message>
    <message>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Open report</source>
        <translation>打开报告</translation>
    </message>
    <message>
        <source>Filter: approval number, venue, title…</source>
        <translation>筛选：批准文号、场所、演出名称…</translation>
    </message>
</context>
<context>
    <name>SdsLog</name>
    <message>
        <source>queued</source>
        <translation>排队中</translation>
    </message>
    <message>
        <source>accepted by radio</source>
        <translation>电台已受理</translation>
    </message>
    <message>
        <source>sent</source>
        <translation>已发出</translation>
    </message>
    <message>
        <source>delivered</source>
        <translation>已送达</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>发送失败</translation>
    </message>
    <message>
        <source>received</source>
        <translation>已接收</translation>
    </message>
    <message>
        <source>unconfirmed</source>
        <translation>未确认</translation>
    </message>
    <message>
        <source>cancelled</source>
        <translation>已撤销</translation>
    </message>
    <message>
        <source>it was already cancelled</source>
        <translation>该消息已撤销过</translation>
    </message>
    <message>
        <source>the radio already has it (%1)</source>
        <translation>电台已接收该消息（%1）</translation>
    </message>
    <message>
        <source>an earlier attempt may already be on the air</source>
        <translation>先前的一次发送可能已经发出</translation>
    </message>
    <message>
        <source>it is being handed to the radio right now; try again</source>
        <translation>正在交给电台发送，请稍后再试</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>Dir.</source>
        <translation>方向</translation>
    </message>
    <message>
        <source>out</source>
        <translation>发</translation>
    </message>
    <message>
        <source>in</source>
        <translation>收</translation>
    </message>
    <message>
        <source>Peer</source>
        <translation>对方</translation>
    </message>
    <message>
        <source>Message</source>
        <translation>内容</translation>
    </message>
    <message>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>State time</source>
        <translation>状态时间</translation>
    </message>
    <message>
        <source>Filter: peer, text, state…</source>
        <translation>筛选：对方、内容、状态…</translation>
    </message>
    <message>
        <source>Cancel sending</source>
        <translation>撤销发送</translation>
    </message>
    <message>
        <source>Withdraw the selected outgoing message while it is still queued</source>
        <translation>在排队期间撤回所选的待发消息</translation>
    </message>
</context>
<context>
    <name>SourceList</name>
    <message>
        <source>Filter sources</source>
        <translation>筛选视频源</translation>
    </message>
    <message>
        <source>Body cameras</source>
        <translation>执法记录仪</translation>
    </message>
    <message>
        <source>Venues</source>
        <translation>重点场所</translation>
    </message>
</context>
<context>
    <name>Subsystem</name>
    <message>
        <source>Database</source>
        <translation>数据库</translation>
    </message>
    <message>
        <source>Radio</source>
        <translation>电台</translation>
    </message>
    <message>
        <source>Vehicle positioning</source>
        <translation>车载定位</translation>
    </message>
    <message>
        <source>Video</source>
        <translation>视频</translation>
    </message>
    <message>
        <source>Speech analysis</source>
        <translation>语音分析</translation>
    </message>
    <message>
        <source>Map</source>
        <translation>地图</translation>
    </message>
</context>
<context>
    <name>TranscriptPane</name>
    <message>
        <source>Time</source>
        <extracomment>Rows kept per venue in the pane (older lines are in the database).</extracomment>
        <translation>时间</translation>
    </message>
    <message>
        <source>Transcript</source>
        <translation>转写内容</translation>
    </message>
    <message>
        <source>Stop listening</source>
        <translation>停止监听</translation>
    </message>
    <message>
        <source>Listen on headset</source>
        <translation>耳机监听</translation>
    </message>
    <message>
        <source>Venue transcribed live</source>
        <translation>实时转写的场所</translation>
    </message>
    <message>
        <source>Live transcription: waiting for the speech model</source>
        <translation>实时转写：等待语音模型</translation>
    </message>
    <message>
        <source>Live: %1 active, %2 paused · workers %3 · load %4%</source>
        <translation>实时：%1 路转写中，%2 路已暂停 · 工作线程 %3 · 负载 %4%</translation>
    </message>
    <message>
        <source>capacity about %1 venues</source>
        <translation>容量约 %1 路</translation>
    </message>
    <message>
        <source>caption delay %1 s</source>
        <translation>字幕延迟 %1 秒</translation>
    </message>
    <message>
        <source>Live transcription is off: %1</source>
        <translation>实时转写未启用：%1</translation>
    </message>
    <message>
        <source>Loading the speech model…</source>
        <translation>正在加载语音模型…</translation>
    </message>
    <message>
        <source>No audio output on this workstation</source>
        <translation>本机无音频输出设备</translation>
    </message>
    <message>
        <source>live</source>
        <translation>转写中</translation>
    </message>
    <message>
        <source>paused (venue limit)</source>
        <translation>已暂停（超出场所上限）</translation>
    </message>
    <message>
        <source>paused (overloaded)</source>
        <translation>已暂停（负载过高）</translation>
    </message>
    <message>
        <source>paused</source>
        <translation>已暂停</translation>
    </message>
    <message>
        <source>Pause</source>
        <translation>暂停</translation>
    </message>
    <message>
        <source>Resume</source>
        <translation>恢复</translation>
    </message>
</context>
<context>
    <name>UnitStatus</name>
    <message>
        <source>Off duty</source>
        <translation>下班</translation>
    </message>
    <message>
        <source>Available</source>
        <translation>空闲</translation>
    </message>
    <message>
        <source>Dispatched</source>
        <translation>已派遣</translation>
    </message>
    <message>
        <source>En route</source>
        <translation>在途</translation>
    </message>
    <message>
        <source>On scene / inspecting</source>
        <translation>到场/检查中</translation>
    </message>
    <message>
        <source>Clearing</source>
        <translation>收尾</translation>
    </message>
    <message>
        <source>Out of service</source>
        <translation>暂停勤务</translation>
    </message>
    <message>
        <source>Emergency</source>
        <translation>紧急求助</translation>
    </message>
</context>
<context>
    <name>UnitsPanel</name>
    <message>
        <source>Call sign</source>
        <translation>呼号</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>District</source>
        <translation>辖区</translation>
    </message>
    <message>
        <source>City corps</source>
        <translation>总队直属</translation>
    </message>
    <message>
        <source>Crew</source>
        <translation>队员</translation>
    </message>
    <message>
        <source>Vehicle</source>
        <translation>车辆</translation>
    </message>
    <message>
        <source>Radio ISSI</source>
        <translation>电台号(ISSI)</translation>
    </message>
    <message>
        <source>Cameras</source>
        <translation>记录仪</translation>
    </message>
    <message>
        <source>Incident</source>
        <translation>当前事件</translation>
    </message>
    <message>
        <source>Status since</source>
        <translation>状态时间</translation>
    </message>
    <message>
        <source>Last fix</source>
        <translation>最后定位</translation>
    </message>
    <message>
        <source>Filter: call sign, crew, plate, ISSI, district…</source>
        <translation>筛选：呼号、队员、车牌、电台号、辖区…</translation>
    </message>
    <message>
        <source>All statuses</source>
        <translation>全部状态</translation>
    </message>
</context>
<context>
    <name>VenueClass</name>
    <message>
        <source>Key venue</source>
        <translation>高频重点场所</translation>
    </message>
    <message>
        <source>Temporary venue</source>
        <translation>低频临时场所</translation>
    </message>
    <message>
        <source>Regular</source>
        <translation>常规</translation>
    </message>
</context>
<context>
    <name>VenueType</name>
    <message>
        <source>Performance venue</source>
        <translation>演出场所</translation>
    </message>
    <message>
        <source>Internet café</source>
        <translation>网吧</translation>
    </message>
    <message>
        <source>Karaoke / dance hall</source>
        <translation>歌舞娱乐场所</translation>
    </message>
    <message>
        <source>Games arcade</source>
        <translation>游艺娱乐场所</translation>
    </message>
    <message>
        <source>Publications</source>
        <translation>出版物经营</translation>
    </message>
    <message>
        <source>Art dealer</source>
        <translation>艺术品经营</translation>
    </message>
    <message>
        <source>Script game venue</source>
        <translation>剧本娱乐场所</translation>
    </message>
</context>
<context>
    <name>VideoTile</name>
    <message>
        <source>Connecting</source>
        <extracomment>MIME type of a tile being dragged to another tile (its index, as text).</extracomment>
        <translation>正在连接</translation>
    </message>
    <message>
        <source>Live</source>
        <translation>实时</translation>
    </message>
    <message>
        <source>Stalled</source>
        <translation>画面停滞</translation>
    </message>
    <message>
        <source>Signal lost</source>
        <translation>信号丢失</translation>
    </message>
    <message>
        <source>Closed</source>
        <translation>已关闭</translation>
    </message>
    <message>
        <source>%1 fps</source>
        <extracomment>paint events that drew a picture not painted before (the tile&apos;s real frame rate) pictures are pulled by the wall&apos;s paint clock (:meth:`pull_frame`), not pushed</extracomment>
        <translation>%1 帧/秒</translation>
    </message>
    <message>
        <source>Drop a camera, venue or unit here</source>
        <translation>将执法记录仪、场所或执法单元拖放到此处</translation>
    </message>
    <message>
        <source>Reconnecting automatically</source>
        <translation>正在自动重连</translation>
    </message>
    <message>
        <source>Snapshot</source>
        <translation>截图取证</translation>
    </message>
    <message>
        <source>Save clip (last %1 s and next %2 s)</source>
        <translation>保存视频片段（前 %1 秒及后 %2 秒）</translation>
    </message>
    <message>
        <source>Restore</source>
        <translation>还原</translation>
    </message>
    <message>
        <source>Maximise</source>
        <translation>最大化</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭画面</translation>
    </message>
</context>
<context>
    <name>VideoWall</name>
    <message>
        <source>Sources</source>
        <extracomment>Grids in the order offered, and the order the wall grows through to fit more feeds. The wall paints at most this often, whatever the screen could do (sources send ≤ 30 fps).</extracomment>
        <translation>视频源</translation>
    </message>
    <message>
        <source>Snapshot</source>
        <translation>截图取证</translation>
    </message>
    <message>
        <source>Save the selected tile&apos;s picture as evidence</source>
        <translation>将所选画面的当前图像保存为证据</translation>
    </message>
    <message>
        <source>Clip</source>
        <translation>录制片段</translation>
    </message>
    <message>
        <source>Save the last %1 s and the next %2 s of the selected tile as evidence</source>
        <translation>将所选画面前 %1 秒及后 %2 秒的视频保存为证据</translation>
    </message>
    <message>
        <source>Close tile</source>
        <translation>关闭画面</translation>
    </message>
    <message>
        <source>Saved layouts</source>
        <translation>已存布局</translation>
    </message>
    <message>
        <source>Layout %1</source>
        <translation>布局 %1</translation>
    </message>
    <message>
        <source>Unknown video source %1</source>
        <translation>未知视频源 %1</translation>
    </message>
    <message>
        <source>Cannot open %1: %2</source>
        <translation>无法打开 %1：%2</translation>
    </message>
    <message>
        <source>No video for the selection</source>
        <translation>所选对象没有视频</translation>
    </message>
    <message>
        <source>Incident %1</source>
        <translation>事件 %1</translation>
    </message>
    <message>
        <source>Incident %1 has no video</source>
        <translation>事件 %1 没有可用视频</translation>
    </message>
    <message>
        <source>Opened the cameras and venue of incident %1</source>
        <translation>已打开事件 %1 的执法记录仪和场所画面</translation>
    </message>
    <message>
        <source>Select a tile with video first</source>
        <translation>请先选择一个有视频的画面</translation>
    </message>
    <message>
        <source>Recording clip: %1 s more</source>
        <translation>正在录制片段：还需 %1 秒</translation>
    </message>
    <message>
        <source>Snapshot saved</source>
        <translation>截图已保存</translation>
    </message>
    <message>
        <source>Clip saved</source>
        <translation>视频片段已保存</translation>
    </message>
    <message>
        <source>Capture failed: %1</source>
        <translation>取证失败：%1</translation>
    </message>
    <message>
        <source>Save layout as…</source>
        <translation>布局另存为…</translation>
    </message>
    <message>
        <source>Delete saved layout</source>
        <translation>删除已存布局</translation>
    </message>
    <message>
        <source>Save layout</source>
        <translation>保存布局</translation>
    </message>
    <message>
        <source>Layout name:</source>
        <translation>布局名称：</translation>
    </message>
</context>
</TS>
