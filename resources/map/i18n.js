/* Texts of the map page. Chinese is the users' language; English is selected with ?lang=en.
   Every string the page shows comes from here. */
(function () {
  'use strict';
  var C = window.CEDC = window.CEDC || {};
  C.I18N = {
    zh: {
      layer_base: '底图',
      layer_districts: '行政区划',
      layer_venue: '文化市场场所',
      layer_unit: '执法单元',
      layer_vehicle: '执法车辆',
      layer_officer: '执法人员',
      layer_camera: '执法记录仪',
      layer_incident: '警情',
      layer_fences: '电子围栏',
      layer_zones: '场所警戒区',
      kind_venue: '场所', kind_unit: '执法单元', kind_vehicle: '执法车辆',
      kind_officer: '执法人员', kind_camera: '执法记录仪', kind_incident: '警情',
      glyph_unit: '队', glyph_vehicle: '车', glyph_officer: '人',
      status_off_duty: '下班', status_available: '空闲', status_dispatched: '已派单',
      status_en_route: '赶赴途中', status_on_scene: '现场处置/检查中', status_clearing: '收尾中',
      status_out_of_service: '暂停执勤', status_emergency: '紧急求助',
      vt_performance: '演出场所', vt_internet_cafe: '上网服务营业场所',
      vt_karaoke_dance: '歌舞娱乐场所', vt_games_arcade: '游艺娱乐场所',
      vt_publications: '出版物经营', vt_art: '艺术品经营', vt_script_game: '剧本娱乐经营场所',
      vc_key: '高频重点场所', vc_temporary: '低频临时场所', vc_regular: '一般场所',
      grade_A: 'A 级（绿）', grade_B: 'B 级（蓝）', grade_C: 'C 级（黄）', grade_D: 'D 级（红）',
      priority_1: '紧急', priority_2: '高', priority_3: '一般', priority_4: '低',
      inc_new: '新警情', inc_dispatched: '已派单', inc_in_progress: '处置中',
      inc_escalated: '已上报', inc_closed: '已办结', inc_cancelled: '已撤销', inc_merged: '已合并',
      f_grade: '信用等级', f_class: '场所类别', f_type: '经营类型', f_licence: '许可证号',
      f_address: '地址', f_district: '所属区', f_status: '状态', f_speed: '速度',
      f_last_fix: '最后定位', f_members: '成员', f_plate: '车牌', f_call_sign: '呼号',
      f_priority: '优先级', f_number: '编号', f_unit: '所属单元', f_camera: '设备状态',
      speed_kmh: '{n} 公里/时',
      ago_s: '{n} 秒前', ago_m: '{n} 分钟前', ago_h: '{n} 小时前', never: '无定位',
      stale: '定位已过期',
      camera_live: '在线', camera_offline: '离线',
      cluster: '{n} 个场所',
      menu_dispatch_here: '派单到此处', menu_open_feed: '打开视频',
      menu_venue_dossier: '场所档案', menu_follow: '跟随', menu_unfollow: '取消跟随',
      menu_here: '此处',
      search_placeholder: '搜索场所名称/许可证号、呼号、车牌',
      search_none: '无匹配结果',
      follow_banner: '正在跟随：{name}', follow_stop: '停止跟随',
      draw_polygon: '绘制多边形围栏', draw_circle: '绘制圆形围栏', draw_cancel: '取消绘制',
      draw_hint_polygon: '单击添加顶点，双击或单击起点完成；退格撤销，Esc 取消',
      draw_hint_circle: '单击确定圆心，再次单击确定半径；Esc 取消',
      radius_m: '半径 {n} 米',
      fence: '电子围栏', severity_0: '提示', severity_1: '关注', severity_2: '警告', severity_3: '严重',
      zone: '警戒区 {n} 米',
      legend: '图例', legend_grades: '场所信用等级', legend_classes: '场所类别',
      legend_status: '单元状态', legend_priority: '警情优先级', legend_stale: '定位过期（半透明）',
      replay: '轨迹回放',
      no_tiles: ''
    },
    en: {
      layer_base: 'Base map',
      layer_districts: 'Districts',
      layer_venue: 'Venues',
      layer_unit: 'Units',
      layer_vehicle: 'Vehicles',
      layer_officer: 'Officers',
      layer_camera: 'Body cameras',
      layer_incident: 'Incidents',
      layer_fences: 'Geofences',
      layer_zones: 'Venue alert zones',
      kind_venue: 'Venue', kind_unit: 'Unit', kind_vehicle: 'Vehicle',
      kind_officer: 'Officer', kind_camera: 'Body camera', kind_incident: 'Incident',
      glyph_unit: 'U', glyph_vehicle: 'V', glyph_officer: 'O',
      status_off_duty: 'Off duty', status_available: 'Available', status_dispatched: 'Dispatched',
      status_en_route: 'En route', status_on_scene: 'On scene / inspecting',
      status_clearing: 'Clearing', status_out_of_service: 'Out of service',
      status_emergency: 'Emergency',
      vt_performance: 'Performance venue', vt_internet_cafe: 'Internet café',
      vt_karaoke_dance: 'Karaoke / dance hall', vt_games_arcade: 'Games arcade',
      vt_publications: 'Publications', vt_art: 'Art dealer', vt_script_game: 'Script game',
      vc_key: 'Key venue', vc_temporary: 'Temporary venue', vc_regular: 'Regular venue',
      grade_A: 'Grade A (green)', grade_B: 'Grade B (blue)', grade_C: 'Grade C (yellow)',
      grade_D: 'Grade D (red)',
      priority_1: 'Urgent', priority_2: 'High', priority_3: 'Normal', priority_4: 'Low',
      inc_new: 'New', inc_dispatched: 'Dispatched', inc_in_progress: 'In progress',
      inc_escalated: 'Escalated', inc_closed: 'Closed', inc_cancelled: 'Cancelled',
      inc_merged: 'Merged',
      f_grade: 'Grade', f_class: 'Class', f_type: 'Type', f_licence: 'Licence',
      f_address: 'Address', f_district: 'District', f_status: 'Status', f_speed: 'Speed',
      f_last_fix: 'Last fix', f_members: 'Members', f_plate: 'Plate', f_call_sign: 'Call sign',
      f_priority: 'Priority', f_number: 'Number', f_unit: 'Unit', f_camera: 'Device',
      speed_kmh: '{n} km/h',
      ago_s: '{n} s ago', ago_m: '{n} min ago', ago_h: '{n} h ago', never: 'no fix',
      stale: 'position out of date',
      camera_live: 'live', camera_offline: 'offline',
      cluster: '{n} venues',
      menu_dispatch_here: 'Dispatch to here', menu_open_feed: 'Open video',
      menu_venue_dossier: 'Venue dossier', menu_follow: 'Follow', menu_unfollow: 'Stop following',
      menu_here: 'Here',
      search_placeholder: 'Venue name / licence, call sign, plate',
      search_none: 'No match',
      follow_banner: 'Following: {name}', follow_stop: 'Stop',
      draw_polygon: 'Draw a polygon fence', draw_circle: 'Draw a circle fence',
      draw_cancel: 'Cancel drawing',
      draw_hint_polygon: 'Click to add corners; double-click or click the first corner to ' +
        'finish; Backspace undoes, Esc cancels',
      draw_hint_circle: 'Click the centre, then click again to set the radius; Esc cancels',
      radius_m: 'radius {n} m',
      fence: 'Geofence', severity_0: 'info', severity_1: 'notice', severity_2: 'warning',
      severity_3: 'critical',
      zone: 'alert zone {n} m',
      legend: 'Legend', legend_grades: 'Venue grade', legend_classes: 'Venue class',
      legend_status: 'Unit status', legend_priority: 'Incident priority',
      legend_stale: 'Position out of date (faded)',
      replay: 'Track replay',
      no_tiles: ''
    }
  };

  C.lang = 'zh';
  /** Text for key, with {name} placeholders filled from params. */
  C.t = function (key, params) {
    var d = C.I18N[C.lang] || C.I18N.zh;
    var s = Object.prototype.hasOwnProperty.call(d, key) ? d[key] : key;
    if (params) {
      s = s.replace(/\{(\w+)\}/g, function (m, k) {
        return params[k] === undefined ? m : String(params[k]);
      });
    }
    return s;
  };
  /** Like t(), but returns fallback when the key is unknown (for enum values). */
  C.tOr = function (key, fallback) {
    var d = C.I18N[C.lang] || C.I18N.zh;
    return Object.prototype.hasOwnProperty.call(d, key) ? d[key] : fallback;
  };
}());
