// City view strings: Chinese first (the default), English second.
import { defineStrings } from '../i18n';

const zh = {
  cyTitle: '市级中心',
  cyReadOnly: '只读',
  cyReadOnlyNote: '全市视图只供查看：不能在此编辑网格、部件、案件或设置，请在各区的站点中编辑。',
  cyBack: '返回本站数据库',
  cyDistrict: '辖区',
  cyWholeCity: '全市',
  cyHeatmap: '案件热力图',
  cyHeatLegend: '案件密度峰值 {max} 件/平方公里（{n} 件）',
  cyStatistics: '统计',
  cyGrids: '单元网格',
  cyComponents: '部件',
  cyCases: '案件',
  cyOpen: '未结案',
  cyClosed: '已结案',
  cyOverdue: '超期',
  cyClosedShare: '结案占比(%)',
  cyEvaluation: '各区绩效评价',
  cyMonth: '月份',
  cyComposite: '综合指标值',
  cyGrade: '等级',
  cyRank: '排名',
  cyLoading: '正在读取…',
  cyOpenTitle: '打开市级中心',
  cyOpenHint: '输入市级中心的 PostgreSQL 连接串，例如 postgresql://用户@服务器:5432/griddesk',
  cyOpenButton: '打开',
  cyCancel: '取消',
  cyOpening: '正在连接市级中心并读取各区数据…',
  cyFailed: '无法打开市级中心',
  cyDistricts: '{n} 个辖区',
};

const en: typeof zh = {
  cyTitle: 'City centre',
  cyReadOnly: 'Read-only',
  cyReadOnlyNote: 'The city view is for looking only: grids, components, cases and settings cannot be edited here; each district edits at its own station.',
  cyBack: 'Back to the station store',
  cyDistrict: 'District',
  cyWholeCity: 'Whole city',
  cyHeatmap: 'Case heatmap',
  cyHeatLegend: 'Peak case density {max} per km² ({n} cases)',
  cyStatistics: 'Statistics',
  cyGrids: 'Unit grids',
  cyComponents: 'Components',
  cyCases: 'Cases',
  cyOpen: 'Open',
  cyClosed: 'Closed',
  cyOverdue: 'Overdue',
  cyClosedShare: 'Closed (%)',
  cyEvaluation: 'Evaluation across districts',
  cyMonth: 'Month',
  cyComposite: 'Composite',
  cyGrade: 'Grade',
  cyRank: 'Rank',
  cyLoading: 'Reading…',
  cyOpenTitle: 'Open a city centre',
  cyOpenHint: 'The city centre’s PostgreSQL connection string, e.g. postgresql://user@server:5432/griddesk',
  cyOpenButton: 'Open',
  cyCancel: 'Cancel',
  cyOpening: 'Connecting to the city centre and reading every district…',
  cyFailed: 'Cannot open the city centre',
  cyDistricts: '{n} districts',
};

export const c = defineStrings(zh, en);
export type CityKey = keyof typeof zh;

export function fill(text: string, vars: Record<string, string | number>): string {
  return text.replace(/\{(\w+)\}/g, (_, k: string) => String(vars[k] ?? ''));
}
