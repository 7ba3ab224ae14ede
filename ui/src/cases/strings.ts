// The case loop's own strings, Chinese first.
import { defineStrings } from '../i18n';

export const s = defineStrings(
  {
    tab: '案件', signInTitle: '登录', login: '账号', password: '密码', role: '角色', signIn: '登录',
    signOut: '退出登录', signedInAs: '当前用户', queue: '待办', list: '案件列表', noCases: '没有案件',
    refresh: '刷新', overdue: '已超时', remaining: '剩余', deadline: '时限', status: '状态', klass: '类别',
    source: '来源', grid: '网格', department: '部门', any: '全部', prev: '上一页', next: '下一页',
    overdueOnly: '仅超时', notOverdue: '未超时', newCase: '新建案件', condition: '立案条件',
    description: '问题描述', address: '地址', reporter: '举报人', photos: '照片', submit: '提交',
    cancel: '取消', duplicates: '疑似重复案件', linkDuplicate: '作为重复上报关联', proceed: '仍然新建',
    created: '已立案编号', linked: '已关联到', timeline: '流转记录', actions: '操作', reason: '原因', note: '备注',
    amount: '延期时长', unit: '单位', confirm: '确定', refused: '操作被拒绝', clickMapHint: '在地图上单击以新建案件',
    location: '位置', reportedAt: '上报时间', stopped: '已暂停', hours: '小时', noActions: '当前无可执行操作',
    reportedAtPast: '上报时间（可补录）',
    lon: '经度', lat: '纬度', pickOnMap: '在地图上选点', lonLatHint: '在地图上选点或输入经纬度', component: '部件',
    needLocation: '请在地图上选点或输入经纬度',
    hintFrontage: '门前三包责任商户：{name}', hintFrontageTitle: '距门前三包 {d} 米，点击查看商户',
    hintRedVendor: '红色档案游商：{name}（拒不整改 {n} 次，距常驻地点 {d} 米）',
    hintZone: '案件位于疏导区“{zone}”内，且在其允许时段（{hours}），已准入游商：{vendors}。核实后再立案。',
  },
  {
    tab: 'Cases', signInTitle: 'Sign in', login: 'Login', password: 'Password', role: 'Role', signIn: 'Sign in',
    signOut: 'Sign out', signedInAs: 'Signed in', queue: 'Queue', list: 'Case list', noCases: 'No cases',
    refresh: 'Refresh', overdue: 'Overdue', remaining: 'Remaining', deadline: 'Deadline', status: 'Status', klass: 'Class',
    source: 'Source', grid: 'Grid', department: 'Department', any: 'Any', prev: 'Previous', next: 'Next',
    overdueOnly: 'Overdue only', notOverdue: 'Not overdue', newCase: 'New case', condition: 'Filing condition',
    description: 'Description', address: 'Address', reporter: 'Reporter', photos: 'Photos', submit: 'Submit',
    cancel: 'Cancel', duplicates: 'Possible duplicates', linkDuplicate: 'Link as duplicate', proceed: 'Create anyway',
    created: 'Created case', linked: 'Linked to', timeline: 'Timeline', actions: 'Actions', reason: 'Reason', note: 'Note',
    amount: 'Extension', unit: 'Unit', confirm: 'OK', refused: 'Refused', clickMapHint: 'Click the map to start a new case',
    location: 'Location', reportedAt: 'Reported', stopped: 'Stopped', hours: 'h', noActions: 'No action available now',
    reportedAtPast: 'Reported at (may be in the past)',
    lon: 'Longitude', lat: 'Latitude', pickOnMap: 'Pick on the map', lonLatHint: 'pick on the map or type lon/lat', component: 'Component',
    needLocation: 'Pick the place on the map or type its longitude and latitude',
    hintFrontage: 'Frontage (门前三包) of: {name}', hintFrontageTitle: '{d} m from its frontage; click to open the shop',
    hintRedVendor: 'Red-listed vendor: {name} ({n} refusals, {d} m from their usual place)',
    hintZone: 'The case lies inside vending zone “{zone}” during its allowed hours ({hours}), with admitted vendors: {vendors}. Verify before filing.',
  },
);

const ROLE_ZH: Record<string, string> = {
  inspector: '监督员', receptionist: '受理员', shift_leader: '值班长', dispatcher: '派遣员', department: '专业部门', leader: '领导', admin: '系统管理员', planner: '网格规划员',
};
const STATUS_ZH: Record<string, string> = {
  reported: '已上报', accepted: '已受理', not_accepted: '不受理', verifying: '核实中', filed: '已立案', handling: '处置中', hung: '挂账',
  checking: '核查中', to_close: '待结案', closed: '已结案', cancelled: '已作废', self_handled: '自行处置',
};
const SOURCE_ZH: Record<string, string> = {
  patrol: '监督员上报', hotline_12319: '12319热线', hotline_12345: '12345热线', public: '公众举报', qr_code: '扫码上报',
  video_ai: '视频AI', media: '媒体曝光', leader: '领导交办', sensor: '物联感知', other: '其他',
};
const ACTION_ZH: Record<string, string> = {
  report: '上报', duplicate_report: '重复上报', import: '历史导入', accept: '受理', refuse: '不受理', send_verify: '派发核实',
  confirm_verified: '核实属实', verify_not_found: '核实不属实', file: '立案', request_cancel: '申请作废', approve_cancel: '作废审批通过',
  cancel: '作废', dispatch: '派遣', request_return: '申请回退', approve_return: '回退审批通过', request_extension: '申请延期',
  approve_extension: '延期审批通过', request_hang_up: '申请挂账', approve_hang_up: '挂账审批通过', reject_request: '驳回申请',
  restore: '挂账恢复', feedback: '处理反馈', check_pass: '核查通过', check_fail: '核查不通过(返工)', close: '结案',
  self_handle: '自行处置', supervise: '督办',
};

const words = (k: string) => k.replace(/_/g, ' ');
const pick = (table: Record<string, string>, k: string) =>
  document.body.dataset.lang === 'en' ? words(k) : (table[k] ?? k);

export const roleName = (k: string) => pick(ROLE_ZH, k);
export const statusName = (k: string) => pick(STATUS_ZH, k);
export const sourceName = (k: string) => pick(SOURCE_ZH, k);
export const actionName = (k: string) => pick(ACTION_ZH, k);
