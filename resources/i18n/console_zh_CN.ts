<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN" sourcelanguage="en">
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
        <translation>紧急报警（待确认 %1 条）：%2 — %3</translation>
    </message>
    <message>
        <source>incident %1</source>
        <translation>事件 %1</translation>
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
        <source>Filter: number, venue, district, category…</source>
        <translation>筛选：编号、场所、辖区、类别…</translation>
    </message>
    <message>
        <source>Open only</source>
        <translation>仅未办结</translation>
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
        <source>Dispatch to here</source>
        <translation>派警至此</translation>
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
        <source>About</source>
        <translation>关于</translation>
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
        <source>Talking: %1</source>
        <translation>正在讲话：%1</translation>
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
    <name>RowTablePanel</name>
    <message>
        <source>%1 of %2</source>
        <translation>%1 / %2</translation>
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
</TS>
