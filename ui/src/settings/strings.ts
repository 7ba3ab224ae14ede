// Clock settings' own strings, Chinese first.
import { defineStrings } from '../i18n';

export const s = defineStrings(
  {
    title: '时限设置', calendar: '节假日与调休', year: '年份', officeHours: '工作时间', date: '日期', kind: '类型',
    note: '说明', add: '添加/修改', remove: '删除', importCsv: '导入节假日 CSV…', template: '节假日表模板…', templateSaved: '模板已保存', imported: '已导入日期数', noDays: '该年没有节假日或调休记录',
    holiday: '法定节假日', workday: '调休上班', limits: '立结案时限', caseKind: '案件类型', event: '事件', component: '部件',
    klass: '小类', condition: '立案条件', stage: '阶段', area: '区域类别', amount: '时限', unit: '单位', save: '保存',
    close: '关闭', localRule: '本地标准', defaultRule: '默认标准', cancelled: '已取消', adminOnly: '仅系统管理员可修改',
    st_accept: '受理', st_verify: '核实', st_file: '立案', st_dispatch: '派遣', st_handle: '处置', st_check: '核查', st_close: '结案',
    un_work_hour: '工作时', un_urgent_hour: '紧急工作时', un_work_day: '工作日', un_calendar_day: '自然日', newCasesNote: '修改只影响此后开始计时的案件阶段',
  },
  {
    title: 'Clock settings', calendar: 'Holidays and adjusted working days', year: 'Year', officeHours: 'Office hours', date: 'Date', kind: 'Kind',
    note: 'Note', add: 'Add / replace', remove: 'Remove', importCsv: 'Import holiday CSV…', template: 'Holiday table template…', templateSaved: 'Template saved', imported: 'Dates imported', noDays: 'No holidays or adjusted days in this year',
    holiday: 'Public holiday', workday: 'Adjusted working day', limits: 'Time limits', caseKind: 'Case kind', event: 'Event', component: 'Component',
    klass: 'Class', condition: 'Filing condition', stage: 'Stage', area: 'Area class', amount: 'Limit', unit: 'Unit', save: 'Save',
    close: 'Close', localRule: 'local standard', defaultRule: 'default', cancelled: 'Cancelled', adminOnly: 'Administrators only',
    st_accept: 'Accept', st_verify: 'Verify', st_file: 'File', st_dispatch: 'Dispatch', st_handle: 'Handle', st_check: 'Check', st_close: 'Close',
    un_work_hour: 'working hours', un_urgent_hour: 'urgent hours', un_work_day: 'working days', un_calendar_day: 'calendar days', newCasesNote: 'Changes apply to case stages that start from now on',
  },
);

export const stageName = (k: string) => s(`st_${k}` as Parameters<typeof s>[0]);
export const unitName = (k: string) => s(`un_${k}` as Parameters<typeof s>[0]);
