// The 同步 tab's own strings, Chinese first, and the station's tables by name.
import { defineStrings, lang } from '../i18n';

export const s = defineStrings(
  {
    tab: '同步', title: '与市级中心同步', centre: '市级中心连接串', centreHint: 'postgresql://用户:密码@主机:端口/数据库',
    syncNow: '立即同步', syncing: '正在同步…', district: '本站区县', never: '从未同步', lastSync: '上次同步', ok: '成功',
    failed: '失败', pending: '待重发批次', pendingChanges: '{n} 项变更', waiting: '待上传', nothingWaiting: '没有待上传的变更',
    waitingUnknown: '首次同步后才能统计', received: '上次下载', nothingReceived: '没有下载内容', table: '数据表',
    inserted: '新增', updated: '修改', deleted: '删除', same: '相同', merged: '已合并', conflicts: '冲突',
    sent: '已上传', came: '已下载', heldBack: '本站也已修改、未覆盖 {n} 行', resent: '重发了中断的批次',
    conflictList: '冲突', loadConflicts: '读取冲突', noConflicts: '没有冲突', open: '待处理', settled: '已处理',
    key: '主键', raisedAt: '发现时间', differing: '不同的字段', column: '字段', base: '上次同步时', station: '本站',
    centreSide: '市级中心', keepStation: '保留本站版本', keepCentre: '保留中心版本', merge: '按字段合并',
    mergeHint: '逐个字段选择采用哪一方的值，或填写新值', apply: '确认合并', cancel: '取消', settledBy: '{by} 于 {at} 处理：{how}',
    howStation: '保留本站', howCentre: '保留中心', howMerged: '合并', showOnMap: '在地图上显示', noRow: '（无此行）',
    empty: '（空）', needCentre: '请先填写市级中心连接串', adminOnly: '同步与处理冲突仅限管理员',
    stageDiffing: '正在比对本站数据…', stageSending: '正在上传…', stageReceiving: '正在读取中心的变更…',
    stageWriting: '正在写入本站…', stageDone: '同步完成', afterSettle: '处理结果将在下次同步时下载到本站',
    own: '自定', mergeStart: '以哪一方的整行为底', withStart: '随所选一方（几何等二进制字段不能手填）', fromStart: '随所选一方', offline: '离线时照常工作；联网后点“立即同步”，或在命令行用 griddesk centre sync。',
  },
  {
    tab: 'Sync', title: 'Sync with the city centre', centre: 'Centre connection string', centreHint: 'postgresql://user:password@host:port/database',
    syncNow: 'Sync now', syncing: 'Syncing…', district: 'District', never: 'Never synced', lastSync: 'Last sync', ok: 'succeeded',
    failed: 'failed', pending: 'Batch to send again', pendingChanges: '{n} changes', waiting: 'Waiting to go up', nothingWaiting: 'Nothing waits to go up',
    waitingUnknown: 'Counted after the first sync', received: 'Last download', nothingReceived: 'Nothing came down', table: 'Table',
    inserted: 'Inserted', updated: 'Updated', deleted: 'Deleted', same: 'Same', merged: 'Merged', conflicts: 'Conflicts',
    sent: 'Sent', came: 'Received', heldBack: '{n} rows changed here too were left as they are', resent: 'An interrupted batch was sent again',
    conflictList: 'Conflicts', loadConflicts: 'Read conflicts', noConflicts: 'No conflicts', open: 'Open', settled: 'Settled',
    key: 'Key', raisedAt: 'Raised', differing: 'Differing fields', column: 'Field', base: 'At last sync', station: 'Station',
    centreSide: 'Centre', keepStation: 'Keep the station version', keepCentre: 'Keep the centre version', merge: 'Merge by field',
    mergeHint: 'Choose each field from one side, or type a new value', apply: 'Apply merge', cancel: 'Cancel', settledBy: 'Settled by {by} at {at}: {how}',
    howStation: 'station kept', howCentre: 'centre kept', howMerged: 'merged', showOnMap: 'Show on map', noRow: '(no row)',
    empty: '(empty)', needCentre: 'Enter the centre connection string first', adminOnly: 'Syncing and settling conflicts are for administrators',
    stageDiffing: 'Comparing the station data…', stageSending: 'Sending…', stageReceiving: 'Reading the centre changes…',
    stageWriting: 'Writing into the station…', stageDone: 'Sync finished', afterSettle: 'The settled row comes down at the next sync',
    own: 'Own value', mergeStart: 'Start from the row of', withStart: 'follows the chosen side (geometry and other bytes cannot be typed)', fromStart: 'As the chosen side', offline: 'Works offline as always; when the network is back press Sync now, or run griddesk centre sync.',
  },
);

const TABLES_ZH: Record<string, string> = {
  code_class: '部件事件分类', calendar_day: '工作日历', filing_condition: '立案条件', time_limit: '处置时限',
  industry_subclass: '行业小类', district: '区县', meta: '设置', street: '街道', community: '社区', grid: '单元网格',
  org_unit: '组织机构', duty_grid: '责任网格', duty_grid_member: '责任网格成员', component: '部件', cases: '案件',
  department: '部门', app_user: '用户', user_role: '用户角色', routing_rule: '派遣规则', case_flow: '案件流转',
  case_stage: '案件环节', case_hang: '挂账', case_audit: '案件日志', case_photo: '案件照片', component_history: '部件变更',
  person: '人员', zone_layer: '责任图层', zone: '责任区', zone_member: '责任区网格', zone_person: '责任区人员',
  road_line: '道路', plan_setting: '规划设置', plan_edit: '网格编辑', plan_event: '网格变更', plan_row: '网格历史',
  plan_lineage: '网格沿革', sign_in_log: '登录记录', audit_log: '审计日志', service_object: '沿街对象',
  service_object_history: '沿街对象变更', register_photo: '台账照片', notice: '通知', notice_delivery: '通知送达',
  move_car: '挪车', vendor: '摊贩', vendor_warning: '摊贩警告', vending_zone: '摊区', vending_admission: '摊区准入',
  register_setting: '台账设置', person_lookup: '人员检索', basemap: '底图', basemap_place: '底图地名',
  track_point: '巡查轨迹',
};

/** A table's name in the user's language (its own name in English). */
export const tableName = (t: string): string => (lang() === 'zh' ? (TABLES_ZH[t] ?? t) : t.replace(/_/g, ' '));
