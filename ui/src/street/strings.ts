// The street registers' own strings (街面台账), Chinese first.
import { lang, defineStrings } from '../i18n';
import type { Colour, MoveOutcome, ObjectKind, ObjectStatus, TargetKind } from '../generated';

export const s = defineStrings(
  {
    tab: '街面台账', title: '街面台账', signInFirst: '请先登录',
    tab_objects: '服务对象', tab_notices: '温馨提示', tab_movecar: '移车提醒', tab_vendors: '游商档案', tab_zones: '疏导区', tab_lookups: '查阅记录',
    counts: '服务对象 {objects} 个，已核实 {verified} 个，已划门前三包 {frontage} 个', search: '查询', searchButton: '查询',
    textHint: '名称/地址/信用代码/执照', any: '全部', kind: '类型', section: '行业门类', sectionShort: '门类', importSubclasses: '导入行业小类表…', subclassesImported: '已导入 {n} 个行业小类', subclass: '行业小类', status: '经营状态',
    area: '区域编码', areaHint: '网格/社区/街道编码', verified: '核实', verifiedYes: '已核实', verifiedNo: '未核实',
    name: '名称', grid: '网格', prev: '上一页', next: '下一页', noObjects: '没有服务对象', newObject: '新增服务对象',
    layerToggle: '地图显示服务对象、门前三包和疏导区', countsToggle: '按网格统计对象数（按当前查询）', countsLegend: '{n} 个网格有对象：',
    importTitle: '导入服务对象', importDesk: '导入需受理员、值班长、派遣员或管理员。', pathHint: '文件路径（CSV 或 XLSX）',
    chooseFile: '选择文件…', check: '检查', import: '导入', noFile: '请先选择或填写文件路径。', checking: '正在检查…', importing: '正在导入…',
    templateXlsx: '模板 (XLSX)', templateCsv: '模板 (CSV)', saved: '已保存：{path}', savedPlain: '已保存', cancelled: '已取消',
    rejects: '{n} 处错误，', nothingImported: '未导入任何记录。', where: '位置', problem: '问题', wouldImport: '检查通过：可导入 {n} 条',
    imported: '已导入 {n} 条', address: '地址', gridReason: '网格调整原因', creditCode: '统一社会信用代码', licence: '营业执照/许可证号',
    legalRep: '法定代表人/负责人', idNumber: '身份证号', contact: '联系人', phone: '电话', collected: '采集', location: '位置（经纬度）',
    frontage: '门前三包', frontagePoints: '已划定（{n} 个点）', noFrontage: '未划定', note: '备注', zoomTo: '定位',
    edit: '修改', drawFrontage: '划门前三包', removeFrontage: '删除门前三包', frontageHint: '沿门前道路依次单击各点，完成后点“完成”', addPhoto: '添加照片…', verify: '核实',
    history: '变更记录', deliveries: '收到的温馨提示', none: '无', photo: '照片', photos: '照片', frontageCases: '门前三包范围内的案件',
    maskedNote: '当前角色不能查看个人信息，已做脱敏显示。', maskedEdit: '个人信息已脱敏：当前角色可修改其他字段，个人信息保持不变',
    noGrid: '不在任何网格内', lon: '经度', lat: '纬度', pickOnMap: '在地图上选点', clickPlace: '在地图上单击位置',
    gridFound: '所在网格（系统判定）', setGridByHand: '手工指定网格（需填写原因）', gridByHand: '网格编码', personal: '个人信息',
    collectedOn: '采集日期', reason: '修改原因', editObject: '修改：{name}', needLocation: '请填写经纬度或在地图上选点',
    points: '个点', undoPoint: '撤销一点', finish: '完成', cancel: '取消', save: '保存', close: '关闭',
    noticesDesk: '发送温馨提示需受理员、值班长、派遣员或管理员。', noticeTitle: '标题', noticeText: '内容（可插入字段）',
    target: '发送对象', targetKey: '对象', channel: '渠道', preview: '预览', send: '发送', sent: '已发送给 {n} 个对象',
    noticesSent: '已发送的温馨提示', recipients: '{n} 个接收对象', firstText: '第一封的内容：', firstN: '下表列出前 {n} 个（共 {total} 个），发送和导出包括全部。', print: '打印', exportXlsx: '导出 XLSX',
    exportCsv: '导出 CSV', from: '城市管理局', keyHint_object: '对象编号', keyHint_section: '门类字母', keyHint_subclass: '小类编码',
    keyHint_grid: '15 位网格编码', keyHint_community: '12 位社区编码', keyHint_street: '9 位街道编码',
    newReminder: '登记移车提醒', year: '年份', month: '月份', reminders: '提醒数', moved: '已移车', ticketed: '已贴单', noResponse: '无回应',
    movedRate: '移车率', total: '合计', latest: '最近的提醒', plate: '车牌号', place: '地点', time: '时间', outcome: '结果',
    vendorHint: '姓名/电话/经营品种', newVendor: '新增游商', noVendors: '没有游商记录', refusalsN: '拒不整改 {n} 次', warningsN: '劝导 {n} 次',
    trade: '经营品种', usualPlace: '常驻地点', colour: '档案颜色', created: '建档', logWarning: '登记劝导', refusedYes: '拒不整改',
    refusedNo: '已整改', warnings: '劝导记录', admissions: '疏导区准入', stall: '摊位号', photosHidden: '当前角色不能查看人员照片',
    vendorName: '姓名', tradeHint: '如 水果、小吃', matter: '事项', refused: '是否拒不整改', warningPlace: '地点（默认常驻地点）',
    warningTitle: '登记劝导：{name}', ladder: '颜色规则', windowDays: '统计天数', ladderSteps: '拒不整改次数达到 → 颜色', addStep: '增加一级',
    drawZone: '在地图上画疏导区', zoneHint: '依次单击疏导区各顶点，完成后点“完成”', noZones: '没有疏导区', openNow: '当前开放',
    closedNow: '当前未开放', days: '开放日', hours: '时段', trades: '允许品种', anyTrade: '不限', capacity: '容量', noLimit: '不限',
    admittedN: '已准入 {n}', redraw: '重画范围', delete: '删除', confirmDelete: '确认删除“{name}”', stallOrReason: '摊位号/退出原因',
    file: '备案', exit: '退出', admit: '准入', newZone: '新建疏导区', ringPoints: '范围：{n} 个顶点', zoneCode: '编号', zoneName: '名称',
    hoursField: '时段（HH:MM-HH:MM，多段用逗号分隔）', tradesHint: '用顿号分隔，空为不限', zoneSaved: '疏导区“{name}”已保存',
    adm_admitted: '已准入', adm_filed: '已备案', adm_exited: '已退出',
    d1: '一', d2: '二', d3: '三', d4: '四', d5: '五', d6: '六', d7: '日',
    lookupsNote: '查阅个人信息的记录（谁、何时、查了什么）', at: '时间', who: '账号', what: '内容', key: '查询对象',
    look_vendor: '查看游商', 'look_vendor-masked': '查看游商（脱敏）', look_object: '查看服务对象', 'look_object-masked': '查看服务对象（脱敏）',
    'look_vendor-search': '查询游商', look_export: '导出名单', look_other: '其他',
  },
  {
    tab: 'Street registers', title: 'Street registers', signInFirst: 'Sign in first',
    tab_objects: 'Objects', tab_notices: 'Notices', tab_movecar: 'Move car', tab_vendors: 'Vendors', tab_zones: 'Zones', tab_lookups: 'Lookups',
    counts: '{objects} service objects, {verified} verified, {frontage} with a frontage', search: 'Search', searchButton: 'Search',
    textHint: 'Name/address/credit code/licence', any: 'Any', kind: 'Kind', section: 'Industry section', sectionShort: 'Section', importSubclasses: 'Import the sub-class table…', subclassesImported: '{n} sub-classes imported', subclass: 'Sub-class', status: 'Status',
    area: 'Area code', areaHint: 'Grid/community/street code', verified: 'Verified', verifiedYes: 'Verified', verifiedNo: 'Not verified',
    name: 'Name', grid: 'Grid', prev: 'Previous', next: 'Next', noObjects: 'No service objects', newObject: 'New service object',
    layerToggle: 'Show objects, frontages and vending zones on the map', countsToggle: 'Objects per grid (current search)', countsLegend: '{n} grids with objects:',
    importTitle: 'Import service objects', importDesk: 'Importing needs a call taker, shift leader, dispatcher or administrator.', pathHint: 'File path (CSV or XLSX)',
    chooseFile: 'Choose file…', check: 'Check', import: 'Import', noFile: 'Choose or type a file path first.', checking: 'Checking…', importing: 'Importing…',
    templateXlsx: 'Template (XLSX)', templateCsv: 'Template (CSV)', saved: 'Saved: {path}', savedPlain: 'Saved', cancelled: 'Cancelled',
    rejects: '{n} errors;', nothingImported: 'nothing was imported.', where: 'Where', problem: 'Problem', wouldImport: 'Check passed: {n} rows can be imported',
    imported: '{n} imported', address: 'Address', gridReason: 'Reason for the grid', creditCode: 'Unified social credit code', licence: 'Licence no.',
    legalRep: 'Legal representative', idNumber: 'ID number', contact: 'Contact', phone: 'Phone', collected: 'Collected', location: 'Location (lon, lat)',
    frontage: 'Frontage (门前三包)', frontagePoints: 'drawn ({n} points)', noFrontage: 'not drawn', note: 'Note', zoomTo: 'Zoom to',
    edit: 'Edit', drawFrontage: 'Draw frontage', removeFrontage: 'Remove frontage', frontageHint: 'Click points along the street in front, then Finish', addPhoto: 'Add photo…', verify: 'Verify',
    history: 'History', deliveries: 'Notices received', none: 'None', photo: 'Photo', photos: 'Photos', frontageCases: 'Cases on its frontage',
    maskedNote: 'This role may not see personal data: it is shown masked.', maskedEdit: 'Personal data is masked: this role edits the other fields; the personal data stays as stored',
    noGrid: 'outside every grid', lon: 'Longitude', lat: 'Latitude', pickOnMap: 'Pick on the map', clickPlace: 'Click the place on the map',
    gridFound: 'Grid (found by the engine)', setGridByHand: 'Set the grid by hand (needs a reason)', gridByHand: 'Grid code', personal: 'Personal data',
    collectedOn: 'Collected on', reason: 'Reason for the change', editObject: 'Edit: {name}', needLocation: 'Type lon/lat or pick a place on the map',
    points: 'points', undoPoint: 'Undo point', finish: 'Finish', cancel: 'Cancel', save: 'Save', close: 'Close',
    noticesDesk: 'Sending notices needs a call taker, shift leader, dispatcher or administrator.', noticeTitle: 'Title', noticeText: 'Text (fields can be inserted)',
    target: 'Send to', targetKey: 'Which', channel: 'Channel', preview: 'Preview', send: 'Send', sent: 'Sent to {n} objects',
    noticesSent: 'Notices sent', recipients: '{n} recipients', firstText: 'The first letter reads:', firstN: 'The table lists the first {n} of {total}; sending and exporting include all.', print: 'Print', exportXlsx: 'Export XLSX',
    exportCsv: 'Export CSV', from: 'City management bureau', keyHint_object: 'Object id', keyHint_section: 'Section letter', keyHint_subclass: 'Sub-class code',
    keyHint_grid: '15-digit grid code', keyHint_community: '12-digit community code', keyHint_street: '9-digit street code',
    newReminder: 'Log a move-car reminder', year: 'Year', month: 'Month', reminders: 'Reminders', moved: 'Moved', ticketed: 'Ticketed', noResponse: 'No response',
    movedRate: 'Moved rate', total: 'Total', latest: 'Latest reminders', plate: 'Plate', place: 'Place', time: 'Time', outcome: 'Outcome',
    vendorHint: 'Name/phone/trade', newVendor: 'New vendor', noVendors: 'No vendors', refusalsN: 'refusals: {n}', warningsN: 'warnings: {n}',
    trade: 'Trade', usualPlace: 'Usual place', colour: 'Record colour', created: 'Created', logWarning: 'Log a warning', refusedYes: 'Refused',
    refusedNo: 'Complied', warnings: 'Warnings', admissions: 'Vending-zone admissions', stall: 'stall', photosHidden: 'This role may not see photos of people',
    vendorName: 'Name', tradeHint: 'e.g. fruit, snacks', matter: 'Matter', refused: 'Refused to comply?', warningPlace: 'Place (the usual place by default)',
    warningTitle: 'Warning: {name}', ladder: 'Colour ladder', windowDays: 'Window (days)', ladderSteps: 'Refusals reach → colour', addStep: 'Add a step',
    drawZone: 'Draw a vending zone on the map', zoneHint: 'Click the zone’s corners, then Finish', noZones: 'No vending zones', openNow: 'Open now',
    closedNow: 'Closed now', days: 'Days', hours: 'Hours', trades: 'Trades', anyTrade: 'any', capacity: 'Capacity', noLimit: 'no limit',
    admittedN: '{n} admitted', redraw: 'Redraw outline', delete: 'Delete', confirmDelete: 'Confirm: delete “{name}”', stallOrReason: 'Stall no./exit reason',
    file: 'File', exit: 'Exit', admit: 'Admit', newZone: 'New vending zone', ringPoints: 'Outline: {n} corners', zoneCode: 'Code', zoneName: 'Name',
    hoursField: 'Hours (HH:MM-HH:MM, several separated by commas)', tradesHint: 'separated by 、 or commas; empty: any', zoneSaved: 'Vending zone “{name}” saved',
    adm_admitted: 'admitted', adm_filed: 'filed', adm_exited: 'exited',
    d1: 'Mon', d2: 'Tue', d3: 'Wed', d4: 'Thu', d5: 'Fri', d6: 'Sat', d7: 'Sun',
    lookupsNote: 'Lookups of people’s records (who, when, what)', at: 'Time', who: 'Login', what: 'What', key: 'Looked up',
    look_vendor: 'vendor record', 'look_vendor-masked': 'vendor record (masked)', look_object: 'service object', 'look_object-masked': 'service object (masked)',
    'look_vendor-search': 'vendor search', look_export: 'list export', look_other: 'other',
  },
);

const en = () => lang() === 'en';

const KIND: Record<ObjectKind, [string, string]> = {
  shop: ['沿街商铺', 'Street shop'], firm: ['企业', 'Firm'], institution: ['机关事业单位', 'Institution'], community: ['小区', 'Residential compound'],
  village: ['城中村', 'Urban village'], key_facility: ['重点场所', 'Key facility'], other: ['其他', 'Other'],
};
export const kindName = (k: ObjectKind) => KIND[k][en() ? 1 : 0];

const STATUS: Record<ObjectStatus, [string, string]> = {
  operating: ['正常经营', 'Operating'], suspended: ['停业', 'Suspended'], closed: ['注销/关闭', 'Closed'],
};
export const statusName = (k: ObjectStatus) => STATUS[k][en() ? 1 : 0];

const TARGET: Record<TargetKind, [string, string]> = {
  object: ['单个对象', 'One object'], section: ['行业门类', 'Industry section'], subclass: ['行业小类', 'Sub-class'],
  grid: ['网格', 'Grid'], community: ['社区', 'Community'], street: ['街道', 'Street'],
};
export const targetName = (k: TargetKind) => TARGET[k][en() ? 1 : 0];

const OUTCOME: Record<MoveOutcome, [string, string]> = {
  moved: ['已移车', 'Moved'], ticketed: ['已贴单', 'Ticketed'], no_response: ['无回应', 'No response'],
};
export const outcomeName = (k: MoveOutcome) => OUTCOME[k][en() ? 1 : 0];

const COLOUR: Record<Colour, [string, string]> = {
  none: ['无', 'None'], yellow: ['黄', 'Yellow'], green: ['绿', 'Green'], red: ['红', 'Red'],
};
export const colourName = (k: Colour) => COLOUR[k][en() ? 1 : 0];

/** Channels are stored as the offices write them (Chinese); English shows a translation. */
const CHANNEL_EN: Record<string, string> = {
  短信: 'SMS', 上门: 'Visit', 微信: 'WeChat', 信函: 'Letter', 电话: 'Phone', 挪车码: 'Move-car QR code', 现场: 'On site',
};
export const channelName = (c: string) => (en() ? (CHANNEL_EN[c] ?? c) : c);

const ACTION: Record<string, [string, string]> = {
  create: ['新增', 'created'], edit: ['修改', 'edited'], verify: ['核实', 'verified'], frontage: ['划定门前三包', 'frontage drawn'],
  import: ['导入', 'imported'], photo: ['添加照片', 'photo added'],
};
export const actionName = (a: string) => ACTION[a]?.[en() ? 1 : 0] ?? a;

const FIELD: Record<string, [string, string]> = {
  name: ['名称', 'name'], address: ['地址', 'address'], kind: ['类型', 'kind'], location: ['位置', 'location'], grid: ['网格', 'grid'],
  grid_reason: ['网格调整原因', 'grid reason'], section: ['行业门类', 'section'], subclass: ['行业小类', 'sub-class'],
  credit_code: ['信用代码', 'credit code'], legal_rep: ['负责人', 'legal representative'], id_number: ['身份证号', 'ID number'],
  contact: ['联系人', 'contact'], phone: ['电话', 'phone'], licence: ['执照', 'licence'], status: ['状态', 'status'],
  collected_on: ['采集日期', 'collected on'], verified_by: ['核实人', 'verified by'], verified_at: ['核实时间', 'verified at'],
  frontage: ['门前三包', 'frontage'], note: ['备注', 'note'], collected_by: ['采集人', 'collected by'],
};
export const fieldName = (f: string) => FIELD[f]?.[en() ? 1 : 0] ?? f;
