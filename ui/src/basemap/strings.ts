// The basemap strings (底图), Chinese first; and the names of basemap layers and classes that
// place search shows.
import { defineStrings, lang } from '../i18n';
import type { InstallStage } from './api';

export const bs = defineStrings(
  {
    title: '底图', none: '无', opacity: '不透明度', manage: '管理底图…', manageTitle: '底图管理',
    signInFirst: '登录后可选用已安装的底图', noneInstalled: '尚未安装底图',
    add: '添加底图', path: '文件路径（PMTiles、MBTiles 或 OSM PBF）', choose: '选择文件…', name: '名称（可选）',
    datum: '坐标系', datumAuto: '自动（按文件声明，未声明按 WGS84）', install: '安装', cancel: '取消', close: '关闭',
    noFile: '请先选择或填写文件路径。', installing: '正在安装…', installed: '已安装：{name}', cancelling: '正在取消…',
    stage_read: '读取 OSM', stage_tiles: '生成瓦片', stage_copy: '复制',
    installedList: '已安装的底图', colName: '名称', colKind: '类型', colZooms: '级别', colSize: '大小', colDatum: '坐标系',
    colSource: '来源文件', vector: '矢量', raster: '栅格', built: 'GridDesk 生成', current: '当前',
    remove: '删除', confirmRemove: '确认删除？', removed: '已删除：{name}', failed: '失败',
    hint: '底图显示在网格之下，不参与编辑；GCJ-02（火星坐标）底图与网格对不齐，不予安装。',
    places: '地名',
  },
  {
    title: 'Basemap', none: 'None', opacity: 'Opacity', manage: 'Manage basemaps…', manageTitle: 'Basemaps',
    signInFirst: 'Sign in to use the installed basemaps', noneInstalled: 'No basemap installed',
    add: 'Add a basemap', path: 'File path (PMTiles, MBTiles or OSM PBF)', choose: 'Choose file…', name: 'Name (optional)',
    datum: 'Datum', datumAuto: 'Automatic (as the file says; WGS84 if it does not)', install: 'Install', cancel: 'Cancel', close: 'Close',
    noFile: 'Choose or type a file path first.', installing: 'Installing…', installed: 'Installed: {name}', cancelling: 'Cancelling…',
    stage_read: 'Reading OSM', stage_tiles: 'Making tiles', stage_copy: 'Copying',
    installedList: 'Installed basemaps', colName: 'Name', colKind: 'Kind', colZooms: 'Zooms', colSize: 'Size', colDatum: 'Datum',
    colSource: 'Source file', vector: 'Vector', raster: 'Raster', built: 'made by GridDesk', current: 'current',
    remove: 'Remove', confirmRemove: 'Really remove?', removed: 'Removed: {name}', failed: 'Failed',
    hint: 'The basemap lies under the grids and is never edited; GCJ-02 basemaps do not line up with the grids and are refused.',
    places: 'Places',
  },
);

export function fill(text: string, values: Record<string, string | number>): string {
  return text.replace(/\{(\w+)\}/g, (_, k: string) => String(values[k] ?? ''));
}

export function stageName(stage: InstallStage): string {
  return bs(`stage_${stage}`);
}

interface Texts {
  zh: string;
  en: string;
}

const LAYERS: Record<string, Texts | undefined> = {
  roads: { zh: '道路', en: 'Road' },
  places: { zh: '地名', en: 'Place' },
  pois: { zh: '兴趣点', en: 'POI' },
  water: { zh: '水系', en: 'Water' },
  waterways: { zh: '水系', en: 'Waterway' },
  landuse: { zh: '用地', en: 'Land use' },
  buildings: { zh: '建筑', en: 'Building' },
  railways: { zh: '铁路', en: 'Railway' },
};

const CLASSES: Record<string, Texts | undefined> = {
  motorway: { zh: '高速公路', en: 'motorway' },
  trunk: { zh: '快速路', en: 'trunk road' },
  primary: { zh: '主干路', en: 'primary road' },
  secondary: { zh: '次干路', en: 'secondary road' },
  tertiary: { zh: '支路', en: 'tertiary road' },
  residential: { zh: '街巷', en: 'residential street' },
  unclassified: { zh: '一般道路', en: 'minor road' },
  living_street: { zh: '生活街道', en: 'living street' },
  service: { zh: '内部道路', en: 'service road' },
  pedestrian: { zh: '步行街', en: 'pedestrian street' },
  footway: { zh: '人行道', en: 'footway' },
  cycleway: { zh: '自行车道', en: 'cycleway' },
  path: { zh: '小路', en: 'path' },
  city: { zh: '城市', en: 'city' },
  town: { zh: '城镇', en: 'town' },
  district: { zh: '区', en: 'district' },
  suburb: { zh: '街道/片区', en: 'suburb' },
  quarter: { zh: '片区', en: 'quarter' },
  neighbourhood: { zh: '社区', en: 'neighbourhood' },
  village: { zh: '村', en: 'village' },
  hamlet: { zh: '自然村', en: 'hamlet' },
  locality: { zh: '地点', en: 'locality' },
  street: { zh: '街道名', en: 'street' },
  river: { zh: '河流', en: 'river' },
  canal: { zh: '运河', en: 'canal' },
  stream: { zh: '溪流', en: 'stream' },
  water: { zh: '水面', en: 'water' },
  reservoir: { zh: '水库', en: 'reservoir' },
  school: { zh: '学校', en: 'school' },
  university: { zh: '大学', en: 'university' },
  kindergarten: { zh: '幼儿园', en: 'kindergarten' },
  hospital: { zh: '医院', en: 'hospital' },
  clinic: { zh: '诊所', en: 'clinic' },
  marketplace: { zh: '市场', en: 'market' },
  supermarket: { zh: '超市', en: 'supermarket' },
  bus_station: { zh: '公交站', en: 'bus station' },
  park: { zh: '公园', en: 'park' },
  commercial: { zh: '商业', en: 'commercial' },
  restaurant: { zh: '餐馆', en: 'restaurant' },
  bank: { zh: '银行', en: 'bank' },
  police: { zh: '派出所', en: 'police' },
  townhall: { zh: '政府机关', en: 'town hall' },
  post_office: { zh: '邮局', en: 'post office' },
  pharmacy: { zh: '药店', en: 'pharmacy' },
  hotel: { zh: '酒店', en: 'hotel' },
};

/** A basemap layer's name in the current language (the id itself if unknown). */
export function layerName(layer: string): string {
  return LAYERS[layer]?.[lang()] ?? layer;
}

/** A feature class in the current language (the OSM value itself if unknown). */
export function className(c: string): string {
  return CLASSES[c]?.[lang()] ?? c.replaceAll('_', ' ');
}
