// The components register's own strings, Chinese first.
import { defineStrings } from '../i18n';

export const s = defineStrings(
  {
    tab: '部件', title: '部件台账', search: '查询', text: '编码/名称/权属', klass: '小类', state: '状态', grid: '网格',
    any: '全部', prev: '上一页', next: '下一页', none: '没有部件', code: '部件编码', owner: '权属单位',
    maintainer: '养护单位', location: '位置', history: '变更记录', qr: '二维码', payload: '二维码内容', edit: '修改',
    save: '保存', cancel: '取消', note: '说明', addOnMap: '在地图上添加部件', addHint: '在地图上单击部件位置',
    stopAdding: '停止添加', newComponent: '新增部件', nextCode: '将分配编码', importFile: '导入部件文件…',
    imported: '已导入', unlocated: '不在任何网格内', rejected: '文件有错误，未导入任何记录', selected: '已选',
    platesPng: '打印二维码牌 (PNG)', platesPdf: '打印二维码牌 (PDF)', saved: '已保存', selectFirst: '请先在表中勾选部件',
    scan: '扫码', scanHint: '粘贴二维码内容', scanRead: '读取', scanImage: '从图片读取…', startCase: '以此部件上报案件',
    offset: '二维码位置与台账相差', clock: '时限设置', signInFirst: '请先登录', mayNotEdit: '当前角色不能修改部件台账',
    line: '行', feature: '要素', record: '记录', field: '字段', cancelled: '已取消',
    act_create: '新增', act_edit: '修改权属/养护', act_state: '状态变更', act_move: '移动',
  },
  {
    tab: 'Components', title: 'Components register', search: 'Search', text: 'Code/name/owner', klass: 'Class', state: 'State', grid: 'Grid',
    any: 'Any', prev: 'Previous', next: 'Next', none: 'No components', code: 'Code', owner: 'Owner',
    maintainer: 'Maintainer', location: 'Location', history: 'History', qr: 'QR code', payload: 'QR payload', edit: 'Edit',
    save: 'Save', cancel: 'Cancel', note: 'Note', addOnMap: 'Add a component on the map', addHint: 'Click the map where the component is',
    stopAdding: 'Stop adding', newComponent: 'New component', nextCode: 'Code to be assigned', importFile: 'Import components file…',
    imported: 'Imported', unlocated: 'outside every grid', rejected: 'The file has errors; nothing was imported', selected: 'Selected',
    platesPng: 'Print QR plates (PNG)', platesPdf: 'Print QR plates (PDF)', saved: 'Saved', selectFirst: 'Tick components in the table first',
    scan: 'Scan', scanHint: 'Paste a QR payload', scanRead: 'Read', scanImage: 'Read from image…', startCase: 'Report a case on this component',
    offset: 'Plate is away from the register location by', clock: 'Clock settings', signInFirst: 'Sign in first', mayNotEdit: 'This role may not edit the register',
    line: 'line', feature: 'feature', record: 'record', field: 'field', cancelled: 'Cancelled',
    act_create: 'created', act_edit: 'owner/maintainer edited', act_state: 'state changed', act_move: 'moved',
  },
);

const STATE_ZH: Record<string, string> = { intact: '完好', damaged: '破损', missing: '丢失', occupied: '占用' };

export const stateName = (k: string) => (document.body.dataset.lang === 'en' ? k : (STATE_ZH[k] ?? k));
